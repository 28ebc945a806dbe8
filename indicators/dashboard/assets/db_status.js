// A callback answered 503 (the database is unavailable): say so in a banner, instead of a silently stale page.
// The banner goes away by itself at the next callback that succeeds.
(function () {
    const original = window.fetch;
    function banner(text) {
        let el = document.getElementById("db-status-banner");
        if (!el) {
            el = document.createElement("div");
            el.id = "db-status-banner";
            el.setAttribute("role", "alert");
            el.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:9999;padding:0.6em 1em;" +
                "background:#b00020;color:#fff;font-family:sans-serif";
            document.body.appendChild(el);
        }
        el.textContent = text;  // text, never HTML
        el.hidden = false;
    }
    window.fetch = function (input, init) {
        return original.apply(this, arguments).then(function (resp) {
            const url = typeof input === "string" ? input : (input && input.url) || "";
            if (url.indexOf("_dash-update-component") !== -1) {
                if (resp.status === 503) {
                    resp.clone().text().then(banner);
                } else if (resp.ok) {
                    const el = document.getElementById("db-status-banner");
                    if (el) { el.hidden = true; }
                }
            }
            return resp;
        });
    };
})();
