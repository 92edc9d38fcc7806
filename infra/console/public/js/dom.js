/**
 * Building DOM nodes. Everything shown comes in as text (textContent / text nodes), never as HTML: transcripts are
 * the caller's own words and must not be able to add markup or run script.
 */

/** el("p", {class: "x", "aria-label": "y", onclick: fn}, "text", childNode, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

/** Appends children: nodes as they are, anything else as a text node. */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** A status paragraph: loading, empty or error, with what to do next. */
export function stateMessage(kind, title, advice) {
  return el("div", { class: `state state-${kind}`, role: kind === "error" ? "alert" : "status" },
    el("p", { class: "state-title" }, title), advice ? el("p", {}, advice) : null);
}
