/* Search page text: messages with values, numbers with digit groups, French spacing, and
   Pagefind's excerpts as DOM nodes. No state; used by search.js. */

var NNBSP = "\u202f";

/* `template` with each {name} replaced by values[name]. */
export function say(template, values) {
  return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
}

/* `n` written with the digit groups of `lang` ("3 769" in French, with U+202F). */
export function number(n, lang) {
  return new Intl.NumberFormat(lang).format(n);
}

/* French spacing put back where Pagefind made it a plain space: a narrow no-break space
   before ; : ! ? and inside « ». Only spaces change; none is added. */
export function frenchSpacing(text) {
  return text
    .replace(/(\S)[ \u00a0]+(?=[;:!?])/g, "$1" + NNBSP)
    .replace(/«[ \u00a0]+/g, "«" + NNBSP)
    .replace(/[ \u00a0]+»/g, NNBSP + "»");
}

/* Whether Pagefind's excerpt of a result starts inside a sentence of the page's text: not at
   its start, nor after a full stop, question or exclamation mark, or an ellipsis. Pagefind
   cuts the text at white space and joins the words of the excerpt with one space. */
function startsMidSentence(data) {
  var excerpt = (data.plain_excerpt || "").trim();
  var text = data.raw_content || data.content || "";
  if (!excerpt || !text) return false;
  var joined = text.split(/[\r\n\s]+/).join(" ").trim();
  var at = joined.indexOf(excerpt);
  if (at <= 0) return false;
  return !/[.!?…][»"”’)\]]*$/.test(joined.slice(0, at).trim());
}

function unescapeHtml(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/* The excerpt of a result (Pagefind data) as a <p>: its <mark>s kept as elements, its text
   as text (never parsed as HTML), "…" in front when it starts mid-sentence, and French
   spacing when `french`. */
export function excerpt(data, french) {
  var p = document.createElement("p");
  p.className = "excerpt";
  var html = data.excerpt || "";
  if (french) html = frenchSpacing(html);
  if (html && startsMidSentence(data)) p.appendChild(document.createTextNode("…"));
  html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach(function (piece) {
    if (!piece) return;
    var marked = /^<mark>([\s\S]*)<\/mark>$/.exec(piece);
    var node = document.createTextNode(unescapeHtml(marked ? marked[1] : piece));
    if (marked) {
      var mark = document.createElement("mark");
      mark.appendChild(node);
      node = mark;
    }
    p.appendChild(node);
  });
  return p;
}
