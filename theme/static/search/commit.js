/* Select boxes that act on a committed choice. Chromium fires "change" on every arrow key in a
   closed select, so a change made with the keys on the closed box waits for Enter or for focus
   to leave it; a choice made with the mouse or in the opened list applies at once. */

/* Keys that change a closed select's value without opening it (arrows, Home/End, Page keys,
   and typed letters that jump to an option). */
var MOVES = /^(Arrow(Up|Down|Left|Right)|Home|End|Page(Up|Down))$/;

function moves(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return false;
  return MOVES.test(event.key) || (event.key.length === 1 && event.key !== " ");
}

/* Call `apply()` when the value of `select` is committed, as described above. */
export function onCommit(select, apply) {
  var keyed = false;
  var committed = select.value;
  function commit() {
    if (select.value === committed) return;
    committed = select.value;
    apply();
  }
  select.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && select.value !== committed) {
      event.preventDefault();
      commit();
      return;
    }
    keyed = moves(event);
  });
  select.addEventListener("pointerdown", function () { keyed = false; });
  select.addEventListener("change", function () { if (!keyed) commit(); });
  select.addEventListener("blur", commit);
  return {
    /* The value shown was set by the page (a new search), not chosen: nothing to apply. */
    reset: function () { committed = select.value; keyed = false; }
  };
}
