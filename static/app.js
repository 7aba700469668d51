// app.js: the dashboard's own behaviour, kept small. Loaded with defer. The CSP forbids inline scripts and eval,
// so every behaviour hangs off data-* attributes through listeners registered here.
(function () {
  "use strict";

  var root = document.documentElement;
  var THEME_KEY = "theme";
  root.classList.add("js"); // CSS collapses the phone nav only when this script can open it again

  // Theme: the system preference by default; a manual choice pins data-theme on <html> and is remembered.
  function storedTheme() {
    try {
      return localStorage.getItem(THEME_KEY);
    } catch (e) {
      return null; // storage disabled: follow the system
    }
  }

  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") {
      root.setAttribute("data-theme", theme);
    } else {
      root.removeAttribute("data-theme");
    }
    syncToggles();
  }

  function effectiveTheme() {
    var t = root.getAttribute("data-theme");
    if (t === "light" || t === "dark") {
      return t;
    }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function syncToggles() {
    var next = effectiveTheme() === "dark" ? "light" : "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (btn) {
      btn.textContent = next === "dark" ? "Dark theme" : "Light theme";
      btn.setAttribute("aria-label", "Switch to the " + next + " theme");
      btn.hidden = false;
    });
  }

  applyTheme(storedTheme());

  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest("[data-theme-toggle]");
    if (toggle) {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      try {
        localStorage.setItem(THEME_KEY, next);
      } catch (e) {
        // storage disabled: the choice lasts for this page only
      }
      applyTheme(next);
      return;
    }
    var navToggle = evt.target.closest("[data-nav-toggle]");
    if (navToggle) {
      var nav = document.getElementById(navToggle.getAttribute("aria-controls"));
      if (nav) {
        var open = nav.classList.toggle("open");
        navToggle.setAttribute("aria-expanded", open ? "true" : "false");
      }
      return;
    }
    var dismiss = evt.target.closest("[data-dismiss]");
    if (dismiss) {
      var box = dismiss.closest("[data-dismissible]");
      if (box) {
        box.remove();
      }
    }
  });

  // Another tab changed the theme, or the system did while no choice is pinned.
  window.addEventListener("storage", function (evt) {
    if (evt.key === THEME_KEY) {
      applyTheme(evt.newValue);
    }
  });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", syncToggles);

  document.addEventListener("DOMContentLoaded", function () {
    syncToggles();
    document.querySelectorAll("[data-nav-toggle]").forEach(function (btn) {
      btn.hidden = false;
    });
  });

  // Live updates. htmx-ext-sse does not resend Last-Event-ID after it reconnects, so whatever the page missed
  // is re-read from the server: every widget marked data-refresh-on-reconnect re-fetches itself on each open.
  document.addEventListener("htmx:sseOpen", function () {
    document.querySelectorAll("[data-refresh-on-reconnect]").forEach(function (el) {
      htmx.trigger(el, "refresh");
    });
  });

  // A stream the server refused leaves the EventSource CLOSED (a network blip leaves it CONNECTING). Ask the
  // same URL once why: 401 (or a redirect to /login) means the session ended, so go and sign in again.
  var probing = false;
  document.addEventListener("htmx:sseError", function (evt) {
    var source = evt.detail && evt.detail.source;
    if (!source || source.readyState !== EventSource.CLOSED || probing) {
      return;
    }
    probing = true;
    var ctrl = new AbortController();
    fetch(source.url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/event-stream" },
      signal: ctrl.signal,
    })
      .then(function (res) {
        ctrl.abort(); // only the status matters; never hold a second stream open
        var toLogin = res.redirected && new URL(res.url).pathname === "/login";
        if (res.status === 401 || toLogin) {
          var next = window.location.pathname + window.location.search;
          window.location.assign("/login?next=" + encodeURIComponent(next));
        }
      })
      .catch(function () {
        // offline: the extension keeps retrying and the next failure probes again
      })
      .finally(function () {
        probing = false;
      });
  });
})();
