// Client-side callbacks: scroll the report to the marked claim; export the chart as PNG or SVG.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  indicators: {
    scrollToClaim: function (children) {
      setTimeout(function () {
        var el = document.querySelector("#report-text mark.focus");
        if (el) { el.scrollIntoView({block: "center"}); }
      }, 50);
      return window.dash_clientside.no_update;
    },
    exportChart: function (png, svg, name) {
      var ctx = window.dash_clientside.callback_context;
      var fmt = ctx.triggered.length && ctx.triggered[0].prop_id.indexOf("svg") === 0 ? "svg" : "png";
      var gd = document.querySelector("#chart .js-plotly-plot");
      if (gd && window.Plotly) {
        window.Plotly.downloadImage(gd, {format: fmt, filename: name || "chart",
                                         width: Math.max(gd.offsetWidth, 1000), height: gd.offsetHeight});
      }
      return fmt;
    }
  }
});
