// Sign-in shared by Haat's pages: the user pool's hosted UI (authorization code with PKCE, back to
// the page itself), and the id token this browser keeps until it expires. Loaded before the page's
// own script; the page decides when to call it.
"use strict";

const HaatSignIn = (() => {
  const PKCE = "haat.pkce";

  // The token's own expiry (the API checks its signature): an expired one asks her to sign in again.
  function unexpired(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
      return claims.exp * 1000 > Date.now();
    } catch (e) {
      return false;
    }
  }

  function base64url(bytes) {
    return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The callback registered with the user pool: the page's address without query or fragment.
  function pageUrl() {
    return location.origin + location.pathname;
  }

  // Off to the hosted UI; `keep` (e.g. the page's query) comes back from `finish` afterwards.
  async function start(config, keep) {
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
    sessionStorage.setItem(PKCE, JSON.stringify({ verifier, nonce, keep: keep || "" }));
    const query = new URLSearchParams({
      response_type: "code", client_id: config.client_id, redirect_uri: pageUrl(), scope: "openid",
      state: nonce, code_challenge: challenge, code_challenge_method: "S256",
    });
    location.assign(`${config.hosted_ui}/oauth2/authorize?${query}`);
  }

  // Back from the hosted UI with ?code=&state=: the id token for the code, or null (a forged or
  // replayed answer, a refused code, no network), and what `start` was asked to keep.
  async function finish(config, query) {
    const pkce = JSON.parse(sessionStorage.getItem(PKCE) || "{}");
    sessionStorage.removeItem(PKCE);
    const keep = pkce.keep || "";
    if (!pkce.verifier || !query.get("code") || query.get("state") !== pkce.nonce) return { token: null, keep };
    try {
      const response = await fetch(`${config.hosted_ui}/oauth2/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code", client_id: config.client_id, code: query.get("code"),
          redirect_uri: pageUrl(), code_verifier: pkce.verifier,
        }),
      });
      const token = response.ok ? (await response.json()).id_token || "" : "";
      return { token: unexpired(token) ? token : null, keep };
    } catch (error) {
      return { token: null, keep };
    }
  }

  return { unexpired, start, finish, pageUrl };
})();
