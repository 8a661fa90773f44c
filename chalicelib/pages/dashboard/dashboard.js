// Haat dashboard: sign in (shared/signin.js), then fetch the server-rendered view of a scope;
// drill-down links, the day and the language only change the query of /dashboard/view. The
// address keeps district, block and date, so the digest e-mail's link opens that view once she
// has signed in, and a sign-in through the hosted UI comes back to it.
"use strict";

const T = {
  en: {
    title: "Haat dashboard", day: "Day", print: "Print", signout: "Sign out", signin: "Sign in",
    signin_why: "Sign in with your Haat account to see your area's sales, late orders and payouts.",
    token_label: "Sign-in token", token_hint: "Local stack: paste the token that make demo printed.",
    token_bad: "This token is not valid or has expired.", signed_out: "You were signed out. Sign in again.",
    signin_failed: "Sign-in did not finish. Try again.",
    forbidden: "This is outside your area.", failed: "Could not load the dashboard. Try again.",
  },
  hi: {
    title: "हाट डैशबोर्ड", day: "दिन", print: "प्रिंट", signout: "साइन आउट", signin: "साइन इन करें",
    signin_why: "अपने क्षेत्र की बिक्री, देर वाले ऑर्डर और भुगतान देखने के लिए अपने हाट खाते से साइन इन करें।",
    token_label: "साइन-इन टोकन", token_hint: "लोकल स्टैक: make demo का दिया टोकन यहाँ चिपकाएँ।",
    token_bad: "यह टोकन सही नहीं है या इसकी अवधि ख़त्म हो गई है।",
    signed_out: "आप साइन आउट हो गए। फिर से साइन इन करें।", signin_failed: "साइन इन पूरा नहीं हुआ। फिर से कोशिश करें।",
    forbidden: "यह आपके क्षेत्र से बाहर है।", failed: "डैशबोर्ड नहीं खुला। फिर कोशिश करें।",
  },
};
const VIEW_PARAMS = ["district", "block", "date"];

const config = JSON.parse(document.getElementById("config").textContent || "{}");
const $ = (id) => document.getElementById(id);
const state = { lang: "en", token: null, query: new URLSearchParams() };

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

// Only the view's own parameters: a code, state or token never stays in the address.
function viewQuery(from) {
  const query = new URLSearchParams();
  for (const name of VIEW_PARAMS) if (from.get(name)) query.set(name, from.get(name));
  return query;
}

function show(query) {
  state.query = viewQuery(query);
  const search = state.query.toString();
  history.replaceState(null, "", HaatSignIn.pageUrl() + (search ? `?${search}` : ""));
  $("day").value = state.query.get("date") || "";
}

function signIn(token) {
  if (!HaatSignIn.unexpired(token)) return false;
  state.token = token;
  remember("token", token);
  return true;
}

function showSignIn(reason) {
  state.token = null;
  remember("token", null);
  $("view").replaceChildren();
  $("signin").hidden = false;
  $("controls").hidden = true;
  $("signin-hosted").hidden = !config.hosted_ui;
  $("signin-token").hidden = Boolean(config.hosted_ui);
  say(reason || null);
}

async function load() {
  const query = new URLSearchParams(state.query);
  query.set("lang", state.lang);
  $("view").setAttribute("aria-busy", "true");
  let response;
  try {
    response = await fetch(`dashboard/view?${query}`, { headers: { Authorization: `Bearer ${state.token}` } });
  } catch (e) {
    return say("failed");
  } finally {
    $("view").removeAttribute("aria-busy");
  }
  if (response.status === 401) return showSignIn("signed_out");
  $("signin").hidden = true;
  $("controls").hidden = false;
  if (response.status === 403) return say("forbidden");
  if (!response.ok) return say("failed");
  say(null);
  $("view").innerHTML = await response.text();  // server-rendered, every value escaped there
  document.body.dataset.loaded = query.toString();
}

function drill(event) {
  const link = event.target.closest("a[data-drill]");
  if (!link) return;
  event.preventDefault();
  const next = new URLSearchParams(link.getAttribute("href").slice(1));
  state.query = viewQuery(next);
  history.pushState(null, "", `?${state.query}`);
  load();
}

async function start() {
  const query = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  setLanguage(query.get("lang") || recall("lang") || ((navigator.language || "en").startsWith("hi") ? "hi" : "en"));
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { setLanguage(b.dataset.lang); if (state.token) load(); });
  $("day").addEventListener("change", () => {
    if ($("day").value) state.query.set("date", $("day").value); else state.query.delete("date");
    history.replaceState(null, "", `?${state.query}`);
    if (state.token) load();
  });
  $("print").addEventListener("click", () => window.print());
  $("signout").addEventListener("click", () => showSignIn());
  $("view").addEventListener("click", drill);
  $("signin-hosted").addEventListener("click", () => HaatSignIn.start(config, state.query.toString()));
  $("signin-token").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!signIn($("token").value.trim())) return say("token_bad");
    load();
  });
  window.addEventListener("popstate", () => { state.query = viewQuery(new URLSearchParams(location.search)); if (state.token) load(); });
  document.body.dataset.auth = config.hosted_ui ? "hosted" : "token";

  if (config.hosted_ui && (query.get("code") || query.get("error"))) {
    const signedIn = await HaatSignIn.finish(config, query);
    show(new URLSearchParams(signedIn.keep));
    if (signedIn.token && signIn(signedIn.token)) return load();
    return showSignIn("signin_failed");
  }
  show(query);
  const token = fragment.get("token") || recall("token");  // #token=: the local demo's link
  if (token && signIn(token)) return load();
  showSignIn(token ? "signed_out" : null);
}

start();
