// Haat upload page: sign in, pick SHG and product, send photos straight to S3, show each verdict.
// No framework and no build step: one small file that a cheap phone on a slow link loads once.
"use strict";

const T = {
  en: {
    title: "Product photos",
    signin_why: "Sign in to upload photos of your group's products.",
    signin: "Sign in",
    token_label: "Sign-in token",
    token_hint: "Local stack: paste the token that make demo printed.",
    token_bad: "This token is not valid or has expired.",
    signed_out: "You were signed out. Sign in again.",
    signin_failed: "Sign-in did not finish. Try again.",
    signout: "Sign out",
    district: "District",
    show: "Show groups",
    shg: "Self-help group",
    product: "Product",
    choose: "Choose…",
    no_shgs: "No groups found for your account.",
    no_products: "This group has no products yet.",
    ready_on: "Ready to sell on",
    ready: "ready",
    accepted_main_image: "needs an accepted photo",
    channel_listing: "not listed there yet",
    product_in_registry: "not in the registry",
    take_photo: "Take a photo",
    choose_photos: "Choose photos",
    hint: "Product on a plain white cloth, in daylight; hold the phone still.",
    pick_product: "Choose the product first.",
    queued: "Waiting to upload",
    uploading: "Uploading {pct}%",
    checking: "Uploaded. Checking the photo…",
    still_checking: "Still checking. Look again later.",
    accepted: "Accepted",
    accepted_with_warnings: "Accepted, with advice",
    rejected: "Not accepted",
    failed: "Connection lost. The photo is kept: try again.",
    retry: "Try again",
    offline: "No network. Photos will upload when it returns.",
    not_an_image_type: "Only photos can be uploaded (JPEG, PNG, WebP, HEIC, GIF).",
    too_large: "The photo is larger than {mb} MB.",
    forbidden: "This product is not in your area.",
    server: "Something went wrong. Try again.",
    thumb: "Photo as buyers will see it",
  },
  hi: {
    title: "सामान की फ़ोटो",
    signin_why: "अपने समूह के सामान की फ़ोटो अपलोड करने के लिए साइन इन करें।",
    signin: "साइन इन करें",
    token_label: "साइन-इन टोकन",
    token_hint: "लोकल स्टैक: make demo का दिया टोकन यहाँ चिपकाएँ।",
    token_bad: "यह टोकन सही नहीं है या इसकी अवधि ख़त्म हो गई है।",
    signed_out: "आप साइन आउट हो गए। फिर से साइन इन करें।",
    signin_failed: "साइन इन पूरा नहीं हुआ। फिर से कोशिश करें।",
    signout: "साइन आउट",
    district: "ज़िला",
    show: "समूह दिखाएँ",
    shg: "स्वयं सहायता समूह",
    product: "सामान",
    choose: "चुनें…",
    no_shgs: "आपके खाते के लिए कोई समूह नहीं मिला।",
    no_products: "इस समूह का अभी कोई सामान नहीं है।",
    ready_on: "इन पर बिक्री के लिए तैयार",
    ready: "तैयार",
    accepted_main_image: "स्वीकृत फ़ोटो चाहिए",
    channel_listing: "वहाँ अभी सूचीबद्ध नहीं",
    product_in_registry: "रजिस्टर में नहीं",
    take_photo: "फ़ोटो खींचें",
    choose_photos: "फ़ोटो चुनें",
    hint: "सामान सादे सफ़ेद कपड़े पर, दिन की रोशनी में रखें; फ़ोन स्थिर रखें।",
    pick_product: "पहले सामान चुनें।",
    queued: "अपलोड की प्रतीक्षा",
    uploading: "अपलोड हो रही है {pct}%",
    checking: "अपलोड हो गई। फ़ोटो की जाँच हो रही है…",
    still_checking: "जाँच अभी जारी है। बाद में फिर देखें।",
    accepted: "स्वीकार",
    accepted_with_warnings: "स्वीकार, सुझाव के साथ",
    rejected: "स्वीकार नहीं",
    failed: "कनेक्शन टूट गया। फ़ोटो रखी है: फिर से कोशिश करें।",
    retry: "फिर से कोशिश करें",
    offline: "नेटवर्क नहीं है। नेटवर्क आने पर फ़ोटो अपलोड होंगी।",
    not_an_image_type: "केवल फ़ोटो अपलोड हो सकती हैं (JPEG, PNG, WebP, HEIC, GIF)।",
    too_large: "फ़ोटो {mb} MB से बड़ी है।",
    forbidden: "यह सामान आपके क्षेत्र में नहीं है।",
    server: "कुछ गड़बड़ हुई। फिर से कोशिश करें।",
    thumb: "ख़रीदार को दिखने वाली फ़ोटो",
  },
  ur: {
    title: "سامان کی تصاویر",
    signin_why: "اپنے گروپ کے سامان کی تصاویر اپلوڈ کرنے کے لیے سائن اِن کریں۔",
    signin: "سائن اِن کریں",
    token_label: "سائن اِن ٹوکن",
    token_hint: "لوکل اسٹیک: make demo کا دیا ہوا ٹوکن یہاں چسپاں کریں۔",
    token_bad: "یہ ٹوکن درست نہیں یا اس کی مدت ختم ہو گئی ہے۔",
    signed_out: "آپ سائن آؤٹ ہو گئے۔ دوبارہ سائن اِن کریں۔",
    signin_failed: "سائن اِن مکمل نہیں ہوا۔ دوبارہ کوشش کریں۔",
    signout: "سائن آؤٹ",
    district: "ضلع",
    show: "گروپ دکھائیں",
    shg: "سیلف ہیلپ گروپ",
    product: "سامان",
    choose: "منتخب کریں…",
    no_shgs: "آپ کے اکاؤنٹ کے لیے کوئی گروپ نہیں ملا۔",
    no_products: "اس گروپ کا ابھی کوئی سامان نہیں ہے۔",
    ready_on: "ان پر فروخت کے لیے تیار",
    ready: "تیار",
    accepted_main_image: "منظور شدہ تصویر چاہیے",
    channel_listing: "وہاں ابھی درج نہیں",
    product_in_registry: "رجسٹر میں نہیں",
    take_photo: "تصویر کھینچیں",
    choose_photos: "تصاویر منتخب کریں",
    hint: "سامان سادہ سفید کپڑے پر، دن کی روشنی میں رکھیں؛ فون ساکن رکھیں۔",
    pick_product: "پہلے سامان منتخب کریں۔",
    queued: "اپلوڈ کا انتظار",
    uploading: "اپلوڈ ہو رہی ہے {pct}%",
    checking: "اپلوڈ ہو گئی۔ تصویر کی جانچ ہو رہی ہے…",
    still_checking: "جانچ ابھی جاری ہے۔ بعد میں دوبارہ دیکھیں۔",
    accepted: "قبول",
    accepted_with_warnings: "قبول، مشورے کے ساتھ",
    rejected: "قبول نہیں",
    failed: "کنکشن ٹوٹ گیا۔ تصویر محفوظ ہے: دوبارہ کوشش کریں۔",
    retry: "دوبارہ کوشش کریں",
    offline: "نیٹ ورک نہیں ہے۔ نیٹ ورک آنے پر تصاویر اپلوڈ ہوں گی۔",
    not_an_image_type: "صرف تصاویر اپلوڈ ہو سکتی ہیں (JPEG، PNG، WebP، HEIC، GIF)۔",
    too_large: "تصویر {mb} MB سے بڑی ہے۔",
    forbidden: "یہ سامان آپ کے علاقے میں نہیں ہے۔",
    server: "کچھ گڑبڑ ہوئی۔ دوبارہ کوشش کریں۔",
    thumb: "خریدار کو دکھنے والی تصویر",
  },
};
const CHANNELS = { haat: "Haat", ondc: "ONDC", amazon: "Amazon", flipkart: "Flipkart", meesho: "Meesho" };
const TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic", heif: "image/heif", gif: "image/gif" };
const POLL_DELAYS_S = [2, 2, 3, 3, 5, 5, 8, 10];
const POLL_FOR_S = 600;
const STALL_S = 60;
const API_TIMEOUT_S = 30;

const config = JSON.parse(document.getElementById("config").textContent);
const $ = (id) => document.getElementById(id);
const base = location.pathname.replace(/upload\/?$/, "");
const state = { lang: "en", token: null, products: [], queue: [], busy: false };

// localStorage can be missing or full (private tabs, old phones): then nothing is remembered.
function recall(name) {
  try { return localStorage.getItem(`haat.${name}`); } catch (e) { return null; }
}

function remember(name, value) {
  try {
    if (value === null) localStorage.removeItem(`haat.${name}`);
    else localStorage.setItem(`haat.${name}`, value);
  } catch (e) { /* kept for this visit only */ }
}

// ---- language -------------------------------------------------------------------------------
function t(key, values) {
  const text = (T[state.lang] && T[state.lang][key]) || T.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? values[name] : ""));
}

function setLanguage(lang) {
  state.lang = T[lang] ? lang : "en";
  remember("lang", state.lang);
  document.documentElement.lang = state.lang;
  document.documentElement.dir = state.lang === "ur" ? "rtl" : "ltr";
  document.title = "Haat · " + t("title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const button of document.querySelectorAll("[data-lang]"))
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  fillProducts();
  for (const item of state.queue) render(item);
}

function initialLanguage() {
  const saved = recall("lang");
  if (saved) return saved;
  const asked = (navigator.language || "en").slice(0, 2);
  return T[asked] ? asked : "en";
}

function say(key, values) {
  const message = $("message");
  message.hidden = !key;
  message.textContent = key ? t(key, values) : "";
}

// ---- sign in (shared/signin.js) ---------------------------------------------------------------
function signIn(token) {
  if (!HaatSignIn.unexpired(token)) return false;
  state.token = token;
  remember("token", token);
  return true;
}

function signOut(reason) {
  state.token = null;
  remember("token", null);
  showSignIn();
  say(reason || null);
}

function showSignIn() {
  $("work").hidden = true;
  $("signin").hidden = false;
  $("signin-hosted").hidden = !config.hosted_ui;
  $("signin-token").hidden = Boolean(config.hosted_ui);
}

// ---- API ------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) {
    super(body.message || body.Message || String(status));
    this.status = status;
    this.body = body;
  }
}

async function api(path, options) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), API_TIMEOUT_S * 1000);
  try {
    const response = await fetch(base + path, {
      ...options,
      signal: controller.signal,
      headers: { Authorization: `Bearer ${state.token}`, "Content-Type": "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    // The authorizer answers 401 (no token) or 403 without a route's error code (token refused).
    if (response.status === 401 || (response.status === 403 && !body.Code && !body.error)) {
      signOut("signed_out");
      throw new ApiError(response.status, body);
    }
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  } finally {
    clearTimeout(timer);
  }
}

function option(value, text) {
  const el = document.createElement("option");
  el.value = value;
  el.textContent = text;
  return el;
}

async function loadShgs(district) {
  const query = district ? `?district=${encodeURIComponent(district)}` : "";
  let body;
  try {
    body = await api(`shgs${query}`);
  } catch (error) {
    if (error.status === 400) $("district-form").hidden = false;
    else if (error.status !== 401) say(error.status === 403 ? "forbidden" : "server");
    return;
  }
  const select = $("shg");
  select.replaceChildren(...body.shgs.map((shg) => option(shg.shg_id, `${shg.name} · ${shg.village}`)));
  if (!body.shgs.length) return say("no_shgs");
  const remembered = recall("shg");
  if (body.shgs.some((shg) => shg.shg_id === remembered)) select.value = remembered;
  await loadProducts();
}

async function loadProducts() {
  const shg = $("shg").value;
  remember("shg", shg);
  try {
    state.products = (await api(`shgs/${encodeURIComponent(shg)}/products`)).products;
  } catch (error) {
    state.products = [];
    if (error.status !== 401) say("server");
  }
  fillProducts();
}

function fillProducts() {
  const select = $("product");
  const chosen = select.value;
  const choices = state.products.map((p) => option(p.product_id, `${p.title} (${p.sku})`));
  select.replaceChildren(option("", state.products.length ? t("choose") : t("no_products")), ...choices);
  if (state.products.some((p) => p.product_id === chosen)) select.value = chosen;
  showReadiness();
}

function showReadiness() {
  const product = state.products.find((p) => p.product_id === $("product").value);
  $("readiness").hidden = !product;
  if (!product) return;
  const items = Object.entries(product.readiness.channels).map(([channel, status]) => {
    const li = document.createElement("li");
    li.className = status.ready ? "ok" : "no";
    const name = document.createElement("b");
    name.textContent = CHANNELS[channel] || channel;
    li.append(status.ready ? "✓ " : "✗ ", name, ": ", status.ready ? t("ready") : status.missing.map((m) => t(m)).join(", "));
    return li;
  });
  $("channels").replaceChildren(...items);
}

// ---- photos ---------------------------------------------------------------------------------
function contentType(file) {
  if (file.type) return file.type;
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  return TYPES[extension] || "application/octet-stream";
}

function addPhotos(files) {
  const productId = $("product").value;
  if (!productId) return say("pick_product");
  say(null);
  for (const file of files) {
    const item = { file, productId, state: "queued", pct: 0, key: null, photo: null, error: null, el: null };
    item.el = $("photo").content.firstElementChild.cloneNode(true);
    item.el.querySelector(".retry").addEventListener("click", () => retry(item));
    $("photos").prepend(item.el);
    state.queue.push(item);
    render(item);
  }
  $("photos").firstElementChild.scrollIntoView({ block: "nearest" });
  pump();
}

function retry(item) {
  if (item.state === "still_checking") {
    item.state = "checking";
    render(item);
    poll(item);
    return;
  }
  item.state = "queued";
  item.pct = 0;
  item.error = null;
  render(item);
  pump();
}

// One photo at a time: on a slow link parallel uploads only make every photo late.
async function pump() {
  if (state.busy) return;
  state.busy = true;
  try {
    let item;
    while ((item = state.queue.find((i) => i.state === "queued"))) await upload(item);
  } finally {
    state.busy = false;
  }
}

async function upload(item) {
  item.state = "uploading";
  render(item);
  let target;
  try {
    target = await api("uploads", {
      method: "POST",
      body: JSON.stringify({
        product_id: item.productId, file_name: item.file.name || "photo.jpg",
        content_type: contentType(item.file), size: item.file.size,
      }),
    });
  } catch (error) {
    const code = (error.body && error.body.error) || ([403, 404].includes(error.status) ? "forbidden" : null);
    item.state = code && T.en[code] ? "refused" : "failed";
    item.error = code;
    return render(item);
  }
  try {
    await post(target, item);
  } catch (error) {
    item.state = "failed";
    return render(item);
  }
  item.key = target.key;
  item.state = "checking";
  render(item);
  poll(item);
}

function post(target, item) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append("file", item.file);
    const xhr = new XMLHttpRequest();
    let stall;
    const watch = () => { clearTimeout(stall); stall = setTimeout(() => xhr.abort(), STALL_S * 1000); };
    xhr.upload.onprogress = (event) => {
      watch();
      if (event.lengthComputable) {
        item.pct = Math.floor((100 * event.loaded) / event.total);
        render(item);
      }
    };
    xhr.onload = () => { clearTimeout(stall); (xhr.status >= 200 && xhr.status < 300 ? resolve : reject)(xhr.status); };
    xhr.onerror = xhr.onabort = xhr.ontimeout = () => { clearTimeout(stall); reject(xhr.status); };
    xhr.open("POST", target.url);
    watch();
    xhr.send(form);
  });
}

async function poll(item) {
  const started = Date.now();
  for (let attempt = 0; Date.now() - started < POLL_FOR_S * 1000; attempt++) {
    await new Promise((done) => setTimeout(done, POLL_DELAYS_S[Math.min(attempt, POLL_DELAYS_S.length - 1)] * 1000));
    if (!state.token) return;
    try {
      const body = await api(`products/${encodeURIComponent(item.productId)}/photos?key=${encodeURIComponent(item.key)}`);
      const photo = body.photos.find((p) => p.key === item.key);
      if (photo) {
        item.photo = photo;
        item.state = photo.verdict;
        render(item);
        const product = state.products.find((p) => p.product_id === item.productId);
        if (product && body.readiness) product.readiness = body.readiness;
        return showReadiness();
      }
    } catch (error) { /* a dropped poll: the next one asks again */ }
  }
  item.state = "still_checking";
  render(item);
}

function render(item) {
  const el = item.el;
  el.className = `photo ${item.state}`;
  el.querySelector(".file").textContent = item.file.name || "photo";
  const size = item.file.size;
  el.querySelector(".size").textContent = size < 1048576 ? `${Math.ceil(size / 1024)} KB` : `${(size / 1048576).toFixed(1)} MB`;
  const progress = el.querySelector("progress");
  progress.hidden = !["queued", "uploading"].includes(item.state);
  progress.value = item.pct;
  progress.setAttribute("aria-label", `${t("uploading", { pct: item.pct })}: ${item.file.name}`);
  const status = {
    queued: t("queued"), uploading: t("uploading", { pct: item.pct }), checking: t("checking"),
    still_checking: t("still_checking"), failed: t("failed"),
    refused: t(item.error || "server", { mb: Math.round(config.max_bytes / 1048576) }),
  }[item.state] || t(item.state);
  el.querySelector(".status").textContent = status;
  const reasons = item.photo ? item.photo.reasons.map((r) => r[state.lang] || r.en) : [];
  el.querySelector(".reasons").replaceChildren(...reasons.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  el.querySelector(".retry").hidden = !["failed", "still_checking"].includes(item.state);
  const thumb = el.querySelector(".thumb");
  const rendition = item.photo && item.state !== "rejected" && item.photo.renditions.find((r) => r.name === "thumb");
  thumb.hidden = !rendition;
  if (rendition && thumb.src !== rendition.url) thumb.src = rendition.url;
  thumb.alt = rendition ? t("thumb") : "";
}

// ---- start ----------------------------------------------------------------------------------
async function start() {
  setLanguage(initialLanguage());
  for (const button of document.querySelectorAll("[data-lang]"))
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  $("signin-hosted").addEventListener("click", () => HaatSignIn.start(config));
  $("signin-token").addEventListener("submit", (event) => {
    event.preventDefault();
    if (signIn($("token").value.trim())) return showWork();
    say("token_bad");
  });
  $("signout").addEventListener("click", () => signOut(null));
  $("district-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadShgs($("district").value.trim());
  });
  $("shg").addEventListener("change", loadProducts);
  $("product").addEventListener("change", showReadiness);
  for (const input of [$("camera"), $("gallery")])
    input.addEventListener("change", () => { addPhotos(Array.from(input.files)); input.value = ""; });
  addEventListener("online", () => {
    say(null);
    for (const item of state.queue) if (item.state === "failed") retry(item);
  });
  addEventListener("offline", () => say("offline"));

  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  let token = null;
  if (fragment.get("token")) {
    token = fragment.get("token");
    history.replaceState(null, "", HaatSignIn.pageUrl());
  }
  token = token || recall("token");
  if (token && signIn(token)) return showWork();
  if (config.hosted_ui && (query.get("code") || query.get("error"))) {
    history.replaceState(null, "", HaatSignIn.pageUrl());  // the code leaves the address bar
    const signedIn = await HaatSignIn.finish(config, query);
    if (signedIn.token && signIn(signedIn.token)) return showWork();
    return signOut("signin_failed");
  }
  signOut(token ? "signed_out" : null);
}

function showWork() {
  $("signin").hidden = true;
  $("work").hidden = false;
  say(null);
  loadShgs(null);
}

start();
