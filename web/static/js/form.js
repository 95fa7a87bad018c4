/* Progressive enhancement of the forms rendered by renderers/templates/form.html.
 *
 * The form works fully without JavaScript; this script only makes it nicer:
 *   1. conditional parts are shown only when they apply (hidden ones are disabled,
 *      so they are not posted);
 *   2. "add row" / "remove row" happen in the page instead of a round trip;
 *   3. only the chosen alternative (oneOf/anyOf) is shown;
 *   4. the ward list follows the chosen province;
 *   5. the error summary gets focus, and its links focus the field they name;
 *   6. a form with data-submit-once cannot be submitted twice by a double click.
 * Plain ES2017, no dependencies. Every handler is delegated to `document`, so rows
 * added later work too. A missing element is never an error: that part is skipped.
 */
(function () {
  "use strict";

  var MANAGED_HIDDEN = ".conditional[hidden], .alternative[hidden]";
  var CONTROLS = "input, select, textarea, button";
  var SUBMITS = 'button:not([type]), button[type="submit"], input[type="submit"], input[type="image"]';
  var FOCUSABLE = 'input:not([type="hidden"]):not(:disabled), select:not(:disabled), textarea:not(:disabled)';
  var SUBMIT_LOCK_MS = 10000;

  var renderedDisabled = new WeakMap(); // control -> was it disabled in the HTML?
  var conditions = new WeakMap();       // .conditional -> parsed data-show-if (or null)
  var lastRowIndex = -1;                // largest row index handed out on this page
  var wardsCache = {};                  // wards URL -> Promise of {province: [wards]}
  var unlockTimers = new WeakMap();     // form -> the timer that re-enables its buttons

  function matches(el, selector) {
    return !!(el && el.nodeType === 1 && el.matches(selector));
  }

  function formOf(el) {
    return (el && el.closest("form")) || null;
  }

  // -- disabling ------------------------------------------------------------------

  /* A control is disabled when the HTML said so, when it is inside a part the script
   * hid, or (submit buttons) while its form is locked after a submit. */
  function applyDisabled(el) {
    if (!renderedDisabled.has(el)) renderedDisabled.set(el, el.disabled);
    var form = el.form || formOf(el);
    var locked = !!(form && form.hasAttribute("data-js-submitted") && matches(el, SUBMITS));
    var disabled = renderedDisabled.get(el) || locked || !!el.closest(MANAGED_HIDDEN);
    if (el.disabled !== disabled) el.disabled = disabled;
  }

  // -- 1. conditional parts and 3. alternatives -------------------------------------

  function parseCondition(block) {
    if (!conditions.has(block)) {
      var condition = null;
      try {
        var data = JSON.parse(block.getAttribute("data-show-if") || "null");
        if (data && typeof data.name === "string" && (data.present || Array.isArray(data.values))) condition = data;
      } catch (e) {
        condition = null; // unreadable: treated like "cannot be evaluated", always shown
      }
      conditions.set(block, condition);
    }
    return conditions.get(block);
  }

  /* The current values of the controls named `name` in the same form as `near`
   * (checked ones for radios and check boxes), or null when there is no such control. */
  function currentValues(name, near) {
    var form = formOf(near);
    var controls = Array.prototype.filter.call(document.getElementsByName(name), function (el) {
      return formOf(el) === form && matches(el, "input, select, textarea");
    });
    if (!controls.length) return null;
    var values = [];
    controls.forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) values.push(el.value);
      } else {
        values.push(el.value);
      }
    });
    return values;
  }

  /* Should this .conditional be shown? null when it cannot be decided here. */
  function conditionHolds(block) {
    var condition = parseCondition(block);
    if (!condition) return null;
    var values = currentValues(condition.name, block);
    if (values === null) return null;
    var answered = values.some(function (v) { return v.trim() !== ""; });
    var met = condition.present ? answered
      : answered ? values.some(function (v) { return condition.values.map(String).indexOf(v) >= 0; })
      : !!condition.empty; // an unanswered field satisfies an "if" that does not require it
    return block.getAttribute("data-side") === "else" ? !met : met;
  }

  function refreshVisibility() {
    document.querySelectorAll(".conditional").forEach(function (block) {
      var show = conditionHolds(block);
      if (show === null) return; // cannot be evaluated: stays visible, with its sentence
      block.hidden = !show;
      var hint = block.querySelector(":scope > .conditional-hint");
      if (hint) hint.hidden = true; // the sentence is for readers without JavaScript
    });
    document.querySelectorAll(".alternative[data-alt][data-alt-name]").forEach(function (alt) {
      var chosen = currentValues(alt.getAttribute("data-alt-name"), alt) || [];
      alt.hidden = chosen.indexOf(alt.getAttribute("data-alt")) < 0;
    });
    document.querySelectorAll(".conditional, .alternative").forEach(function (block) {
      block.querySelectorAll(CONTROLS).forEach(applyDisabled);
    });
  }

  // -- 2. array rows --------------------------------------------------------------------

  function childMatching(parent, selector) {
    return Array.prototype.find.call(parent ? parent.children : [], function (c) { return c.matches(selector); }) || null;
  }

  function rowIndex(row) {
    var marker = childMatching(row, 'input[type="hidden"][name$="/~row"]');
    var n = marker ? parseInt(marker.value, 10) : NaN;
    return isNaN(n) ? -1 : n;
  }

  /* Replace the placeholder ("new0row": letters and digits, so ids carry it as is) in
   * every attribute, nested row templates included: their own deeper placeholder is a
   * different string and stays. */
  function renameTree(root, placeholder, index) {
    root.querySelectorAll("*").forEach(function (el) {
      Array.prototype.forEach.call(el.attributes, function (attr) {
        if (attr.value.indexOf(placeholder) >= 0) attr.value = attr.value.split(placeholder).join(index);
      });
      if (el.tagName === "TEMPLATE") renameTree(el.content, placeholder, index);
    });
  }

  /* Rows are numbered by position ("Thành viên 1", "Thành viên 2"…): after an add or a
   * remove, each row's heading and remove button say its new number. */
  function numberRows(rows) {
    Array.prototype.forEach.call(rows ? rows.children : [], function (row, i) {
      var title = row.getAttribute("data-row-title");
      if (title === null) return;
      var heading = row.querySelector("legend, label");
      var text = heading && Array.prototype.find.call(heading.childNodes, function (n) {
        return n.nodeType === 3 && /\S/.test(n.nodeValue);
      });
      if (text) text.nodeValue = title + " " + (i + 1) + (/\s$/.test(text.nodeValue) ? " " : "");
      var remove = childMatching(row, "button.remove-row");
      if (remove) remove.textContent = "Xóa " + title + " " + (i + 1);
    });
  }

  function addRow(button, event) {
    var array = button.closest("fieldset.array");
    var rows = childMatching(array, "div.rows");
    var template = childMatching(array, "template[data-placeholder]");
    if (!rows || !template) return; // too deep for a template: the round trip adds it
    event.preventDefault();
    var index = Math.max(lastRowIndex, Math.max.apply(null, Array.prototype.map.call(rows.children, rowIndex).concat(-1))) + 1;
    lastRowIndex = index;
    var fragment = document.importNode(template.content, true);
    renameTree(fragment, template.getAttribute("data-placeholder"), String(index));
    var row = childMatching(fragment, "div.row");
    if (!row) return;
    rows.appendChild(row);
    numberRows(rows);
    refreshVisibility();
    var first = row.querySelector(FOCUSABLE);
    if (first) first.focus();
  }

  function removeRow(button, event) {
    var row = button.closest(".row[data-row]");
    if (!row) return;
    event.preventDefault();
    var array = row.closest("fieldset.array");
    var rows = row.parentNode;
    row.remove();
    numberRows(rows);
    refreshVisibility();
    var add = childMatching(array, "button.add-row");
    if (add && !add.disabled) add.focus();
  }

  /* Enter in a text field "clicks" the form's first submit button, which may be an
   * add/remove button: do not let it add or delete a row. */
  function guardEnter(event) {
    var el = event.target;
    if (event.key !== "Enter" || !matches(el, "input") || /^(submit|button|image|reset|checkbox|radio)$/.test(el.type)) return;
    var first = el.form && el.form.querySelector(SUBMITS);
    if (matches(first, ".add-row, .remove-row, [data-nojs]")) event.preventDefault();
  }

  // -- 4. address: the wards of the chosen province ----------------------------------------

  function loadWards(url) {
    if (!wardsCache[url]) {
      wardsCache[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      wardsCache[url].catch(function () { delete wardsCache[url]; }); // retry on the next change
    }
    return wardsCache[url];
  }

  function showRefreshButton(ward) {
    // The list could not be loaded: the no-JavaScript button does the job by a round trip.
    var button = ward.parentNode && ward.parentNode.querySelector("button[data-nojs]");
    if (button) button.hidden = false;
  }

  function provinceChanged(select) {
    var address = select.closest("fieldset.address");
    var ward = address && address.querySelector("select[data-ward]");
    var source = select.closest("[data-wards-url]");
    if (!ward || !source) return;
    var province = select.value;
    loadWards(source.getAttribute("data-wards-url")).then(function (wards) {
      if (select.value !== province) return; // changed again meanwhile: that one wins
      var names = (wards && Array.isArray(wards[province])) ? wards[province] : [];
      ward.options.length = 0;
      ward.add(new Option("— Chọn xã/phường —", ""));
      names.forEach(function (name) { ward.add(new Option(name, name)); });
      ward.value = "";
      ward.dispatchEvent(new Event("change", { bubbles: true }));
    }).catch(function () {
      showRefreshButton(ward);
    });
  }

  // -- 5. error summary ----------------------------------------------------------------

  function focusTarget(link, event) {
    var id = link.getAttribute("href").slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* not encoded: used as it is */ }
    var target = id && document.getElementById(id);
    if (!target) return;
    var control = matches(target, "input, select, textarea") ? target
      : target.querySelector(FOCUSABLE) || target.querySelector("button:not(:disabled)");
    if (!control) return;
    event.preventDefault();
    control.focus({ preventScroll: true });
    // Show the question (label or legend) too, not only the box.
    (control.closest(".field") || control).scrollIntoView({ block: "start" });
  }

  // -- 6. submit once ---------------------------------------------------------------------

  function setLock(form, locked) {
    if (locked) form.setAttribute("data-js-submitted", "");
    else form.removeAttribute("data-js-submitted");
    Array.prototype.forEach.call(form.elements, function (el) {
      if (matches(el, SUBMITS)) applyDisabled(el);
    });
  }

  function submitted(event) {
    var form = event.target;
    if (!matches(form, "form[data-submit-once]")) return;
    if (form.hasAttribute("data-js-submitted")) {
      event.preventDefault(); // a second click that came before the buttons were disabled
      return;
    }
    // Marked now, but the buttons are disabled only after the event: by then the form
    // data (the clicked button's name and value included) has been collected, and we
    // know whether another handler cancelled the submission.
    form.setAttribute("data-js-submitted", "");
    setTimeout(function () {
      if (event.defaultPrevented) {
        form.removeAttribute("data-js-submitted");
        return;
      }
      setLock(form, true);
      clearTimeout(unlockTimers.get(form));
      unlockTimers.set(form, setTimeout(function () { setLock(form, false); }, SUBMIT_LOCK_MS));
    }, 0);
  }

  // -- wiring --------------------------------------------------------------------------

  function init() {
    // Buttons only a page without JavaScript needs (the wards list refresh).
    document.querySelectorAll("button[data-nojs]").forEach(function (button) { button.hidden = true; });
    refreshVisibility();
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();

    document.addEventListener("click", function (event) {
      var el = event.target;
      if (!el || !el.closest) return;
      var button = el.closest("button.add-row, button.remove-row");
      if (button && !button.disabled) {
        if (button.classList.contains("add-row")) addRow(button, event);
        else removeRow(button, event);
        return;
      }
      var link = el.closest('[data-error-summary] a[href^="#"]');
      if (link) focusTarget(link, event);
    });
    document.addEventListener("change", function (event) {
      if (matches(event.target, "select[data-province]")) provinceChanged(event.target);
      refreshVisibility();
    });
    document.addEventListener("input", refreshVisibility);
    document.addEventListener("keydown", guardEnter);
    document.addEventListener("submit", submitted);
    // Back to a page kept in the back/forward cache: the form must work again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      document.querySelectorAll("form[data-js-submitted]").forEach(function (form) { setLock(form, false); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
