// Cell renderers for the dashboard's grids. Text only: every value is a React text child, never HTML, so
// markup in a report stays visible as text.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// The sentence with its figure marked: data.sentence, data.surface, data.mark_at (-1: not found as written).
dagcomponentfuncs.MarkedSentence = function (props) {
  var d = props.data || {};
  var s = String(d.sentence || ""), at = d.mark_at, f = String(d.surface || "");
  if (at === undefined || at === null || at < 0) {
    return React.createElement("span", {title: s}, s);
  }
  return React.createElement("span", {title: s, className: "sentence"},
    s.slice(0, at), React.createElement("mark", {className: "figure"}, s.slice(at, at + f.length)),
    s.slice(at + f.length));
};
