// claim.js reveals a one-time claim in the browser. The link's fragment (after
// "#") holds the key; browsers never send it to the server. From the key,
// HKDF-SHA256 derives an AES-256-GCM key and an authentication token; the
// server hands the ciphertext out, once, to whoever presents the token.
// The same derivation is in internal/claim/seal.go. A claim for several
// accounts reveals all their passwords with one click, each beside its
// account. The page holds every message this script shows, in the page's
// language.
"use strict";

(function () {
  var root = document.getElementById("claim");
  if (!root) {
    return;
  }
  var encoder = new TextEncoder();

  function byId(id) {
    return document.getElementById(id);
  }

  // show switches the page to state: its box appears, the reveal button goes.
  function show(state, at) {
    root.dataset.state = state;
    var panel = byId("reveal-panel");
    if (panel) {
      panel.hidden = true;
    }
    var box = byId("state-" + state);
    if (!box) {
      return;
    }
    if (at) {
      var when = box.querySelector(".when");
      var time = box.querySelector("time");
      if (when && time) {
        time.setAttribute("datetime", at);
        time.textContent = localTime(at);
        when.hidden = false;
      }
    }
    box.hidden = false;
  }

  function localTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) {
      return iso;
    }
    try {
      return d.toLocaleString(document.documentElement.lang, { dateStyle: "long", timeStyle: "short" });
    } catch (e) {
      return d.toString();
    }
  }

  function fromBase64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  function toBase64(bytes) {
    var bin = "";
    var view = new Uint8Array(bytes);
    for (var i = 0; i < view.length; i++) {
      bin += String.fromCharCode(view[i]);
    }
    return btoa(bin);
  }

  function fromBase64URL(s) {
    return fromBase64(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  }

  function hkdf(info) {
    return { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(info) };
  }

  // Times are written in UTC so the page reads without script; show them in
  // the reader's time zone.
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    if (t.getAttribute("datetime")) {
      t.textContent = localTime(t.getAttribute("datetime"));
    }
  });

  var fragment = location.hash.slice(1);

  // The language links are relative, which drops the fragment: keep it.
  document.querySelectorAll("a.lang-switch").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      location.replace(a.getAttribute("href") + location.hash);
    });
  });

  if (root.dataset.state !== "ready") {
    return;
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(fragment)) {
    show("no-key");
    return;
  }
  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
    show("insecure");
    return;
  }

  var revealButton = byId("reveal");
  revealButton.disabled = false;
  revealButton.addEventListener("click", function () {
    revealButton.disabled = true;
    reveal().catch(function () {
      show("error");
    });
  });

  async function reveal() {
    var subtle = window.crypto.subtle;
    var ikm = await subtle.importKey("raw", fromBase64URL(fragment), "HKDF", false, ["deriveKey", "deriveBits"]);
    var token = await subtle.deriveBits(hkdf("gatehouse claim v1 auth"), ikm, 256);
    var key = await subtle.deriveKey(hkdf("gatehouse claim v1 encryption"), ikm, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    var resp;
    try {
      resp = await fetch("../api/v1/claims/" + encodeURIComponent(root.dataset.id) + "/reveal", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: toBase64(token) }),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch (e) {
      revealButton.disabled = false;
      byId("state-error").hidden = false;
      return;
    }
    var body = await resp.json().catch(function () {
      return {};
    });
    if (!resp.ok) {
      refused(body);
      return;
    }
    // A claim for several accounts seals their passwords together, as a
    // JSON array in the order the page lists them, under its own
    // additional data: a list opens only as a list.
    var accounts = byId("accounts");
    var plain = await subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(body.nonce), additionalData: encoder.encode(accounts ? "gatehouse claim v1 list" : "gatehouse claim v1") },
      key,
      fromBase64(body.ciphertext)
    );
    // The claim is gone from the server: the key in the address bar and the
    // history opens nothing now, so drop it.
    history.replaceState(null, "", location.pathname + location.search);
    var text = new TextDecoder().decode(plain);
    if (accounts) {
      showAll(accounts, JSON.parse(text));
    } else {
      byId("password").textContent = text;
      byId("copy").addEventListener("click", function () {
        copyPassword(byId("password"), byId("copied"), byId("copy-manual"));
      });
    }
    byId("reveal-panel").hidden = true;
    byId("secret").hidden = false;
    root.dataset.state = "revealed";
  }

  // showAll puts each password beside its account, each with its own Copy.
  function showAll(accounts, passwords) {
    var rows = accounts.querySelectorAll("li.account");
    var fits = Array.isArray(passwords) && passwords.length === rows.length &&
      passwords.every(function (p) { return typeof p === "string"; });
    if (!fits) {
      throw new Error("the revealed passwords do not fit the accounts on the page");
    }
    rows.forEach(function (row, i) {
      var code = row.querySelector("code.password");
      code.textContent = passwords[i];
      row.querySelector("button.copy").addEventListener("click", function () {
        copyPassword(code, row.querySelector(".copied"), row.querySelector(".copy-manual"));
      });
      row.querySelector(".account-secret").hidden = false;
    });
  }

  // refused shows why the server did not hand the claim out.
  function refused(body) {
    switch (body.error) {
      case "wrong_key":
        show("bad-key");
        break;
      case "claimed":
      case "expired":
      case "withdrawn":
        show(body.error, body.at);
        break;
      case "not_found":
        show("not-found");
        break;
      case "too_many_attempts":
        show("too-many", body.at);
        break;
      default:
        revealButton.disabled = false;
        byId("state-error").hidden = false;
    }
  }

  // copyPassword copies the password in code, saying so in copied, or
  // selects it for the reader to copy by hand, saying so in manual.
  function copyPassword(code, copied, manual) {
    var select = function () {
      selectPassword(code, copied, manual);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code.textContent).then(function () {
        manual.hidden = true;
        copied.hidden = false;
      }, select);
    } else {
      select();
    }
  }

  function selectPassword(code, copied, manual) {
    var range = document.createRange();
    range.selectNodeContents(code);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    copied.hidden = true;
    manual.hidden = false;
  }
})();
