"""What a browser sends to a Dash app, for scripts that drive the real callback path without one
(the benchmark, the load test, the callback tests)."""
from __future__ import annotations


def outputs_of(output: str):
    """The `outputs` the renderer sends for a callback's output string ("a.b" or "..a.b...c.d..")."""
    if output.startswith(".."):
        return [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in output[2:-2].split("...")]
    ident, prop = output.rsplit(".", 1)
    return {"id": ident, "property": prop}


def layout_props(node, props: dict | None = None) -> dict:
    """{id: props} of every component in a layout JSON (the values the browser starts with)."""
    props = {} if props is None else props
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            p = node["props"]
            if isinstance(p.get("id"), str):
                props[p["id"]] = p
            for v in p.values():
                layout_props(v, props)
        else:
            for v in node.values():
                layout_props(v, props)
    elif isinstance(node, list):
        for v in node:
            layout_props(v, props)
    return props


def payload(dep: dict, values: dict, changed: list[str] | None = None) -> dict:
    """The POST body of /_dash-update-component for one entry of /_dash-dependencies; `values` maps
    "id.prop" to the value the browser holds (missing: None)."""
    val = lambda d: {**d, "value": values.get(f"{d['id']}.{d['property']}")}
    return {"output": dep["output"], "outputs": outputs_of(dep["output"]),
            "inputs": [val(d) for d in dep["inputs"]], "state": [val(d) for d in dep.get("state", [])],
            "changedPropIds": changed or []}
