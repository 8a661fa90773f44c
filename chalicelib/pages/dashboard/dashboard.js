// Haat dashboard: sign in, then fetch the server-rendered view of a scope; drill-down links,
// the day and the language only change the query of /dashboard/view.
"use strict";

const T = {
  en: {
    title: "Haat dashboard", day: "Day", print: "Print", signout: "Sign out", signin: "Sign in",
    signin_why: "Sign in to see your district's sales, late orders and payouts.",
    token_label: "Sign-in token", token_bad: "This token is not valid or has expired.",
    forbidden: "This is outside your area.", failed: "Could not load the dashboard. Try again.",
    loading: "Loading…",
  },
  hi: {
    title: "हाट डैशबोर्ड", day: "दिन", print: "प्रिंट", signout: "साइन आउट", signin: "साइन इन करें",
    signin_why: "अपने ज़िले की बिक्री, देर वाले ऑर्डर और भुगतान देखने के लिए साइन इन करें।",
    token_label: "साइन-इन टोकन", token_bad: "यह टोकन सही नहीं है या इसकी अवधि ख़त्म हो गई है।",
    forbidden: "यह आपके क्षेत्र से बाहर है।", failed: "डैशबोर्ड नहीं खुला। फिर कोशिश करें।",
    loading: "लोड हो रहा है…",
  },
};

const $ = (id) => document.getElementById(id);
const state = { lang: "en", token: null, query: new URLSearchParams(location.search) };

function recall(name) {
  try { return localStorage.getItem(`haat.${name}`); } catch (e) { return null; }
}
function remember(name, value) {
  try {
    if (value === null) localStorage.removeItem(`haat.${name}`);
    else localStorage.setItem(`haat.${name}`, value);
  } catch (e) { /* kept for this visit only */ }
}

function t(key) { return (T[state.lang] || T.en)[key] || T.en[key] || key; }

function say(key) {
  $("message").hidden = !key;
  $("message").textContent = key ? t(key) : "";
}

function setLanguage(lang) {
  state.lang = T[lang] ? lang : "en";
  remember("lang", state.lang);
  document.documentElement.lang = state.lang;
  document.title = "Haat · " + t("title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
}

function validToken(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
    return claims.exp * 1000 > Date.now();
  } catch (e) { return false; }
}

function showSignIn(reason) {
  state.token = null;
  remember("token", null);
  $("view").replaceChildren();
  $("signin").hidden = false;
  $("signout").hidden = true;
  say(reason || null);
}

async function load() {
  const query = new URLSearchParams(state.query);
  query.set("lang", state.lang);
  if ($("day").value) query.set("date", $("day").value);
  $("view").setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(`dashboard/view?${query}`, { headers: { Authorization: `Bearer ${state.token}` } });
  } catch (e) {
    say("failed");
    return;
  } finally {
    $("view").removeAttribute("aria-busy");
  }
  if (response.status === 401) return showSignIn("token_bad");
  if (response.status === 403) return say("forbidden");
  if (!response.ok) return say("failed");
  say(null);
  $("signin").hidden = true;
  $("signout").hidden = false;
  $("view").innerHTML = await response.text();  // server-rendered, every value escaped there
  document.body.dataset.loaded = query.toString();
}

function drill(event) {
  const link = event.target.closest("a[data-drill]");
  if (!link) return;
  event.preventDefault();
  const next = new URLSearchParams(link.getAttribute("href").slice(1));
  state.query = new URLSearchParams({ district: next.get("district") || "", block: next.get("block") || "" });
  history.pushState(null, "", `?${state.query}`);
  load();
}

function start() {
  const config = JSON.parse($("config").textContent || "{}");
  setLanguage(recall("lang") || ((navigator.language || "en").startsWith("hi") ? "hi" : "en"));
  if (state.query.get("date")) $("day").value = state.query.get("date");
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { setLanguage(b.dataset.lang); if (state.token) load(); });
  $("day").addEventListener("change", () => state.token && load());
  $("print").addEventListener("click", () => window.print());
  $("signout").addEventListener("click", () => showSignIn());
  $("view").addEventListener("click", drill);
  window.addEventListener("popstate", () => { state.query = new URLSearchParams(location.search); if (state.token) load(); });
  $("signin-token").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!validToken(token)) return say("token_bad");
    state.token = token;
    remember("token", token);
    load();
  });
  const saved = recall("token");
  if (saved && validToken(saved)) { state.token = saved; load(); } else showSignIn();
  document.body.dataset.auth = config.auth || "";
}

start();
