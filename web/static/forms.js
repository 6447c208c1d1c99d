/* E-form lists without a round trip to the server.

   "Thêm dòng" clones the list's <template> row, "Xóa dòng" removes its row; the rows are then
   renumbered so every input name stays the validator's JSON path (data.list[0].field) and
   every id, label and aria-describedby follows. Without this script the same buttons submit
   the form (name="_form_action") and the server adds or removes the row.

   Markup contract (motcua/forms/renderer.py):
     fieldset[data-form-array][data-path][data-id]
       > ol[data-form-rows] > li[data-form-row][data-path][data-id]
       > template[data-form-template] > li[data-form-row]
       > button[data-form-add]
     li[data-form-row] ... button[data-form-remove], [data-form-row-number]
   A row's inputs are named <row data-path>.<key> and their ids start with <row data-id>-. */
(function () {
  "use strict";

  var each = Array.prototype.forEach;

  // `text` with its leading `from` replaced by `to`, if `from` ends at one of `boundaries`.
  function swap(text, from, to, boundaries) {
    if (text.indexOf(from) !== 0) return text;
    var rest = text.slice(from.length);
    if (rest && boundaries.indexOf(rest.charAt(0)) < 0) return text;
    return to + rest;
  }

  // `root` and everything under it, including rows waiting in nested lists' templates.
  function elements(root) {
    var found = root.nodeType === 1 ? [root] : [];
    each.call(root.querySelectorAll("*"), function (el) {
      found.push(el);
      if (el.tagName === "TEMPLATE") found = found.concat(elements(el.content));
    });
    return found;
  }

  function rename(row, oldPath, newPath, oldId, newId) {
    elements(row).forEach(function (el) {
      ["name", "data-path"].forEach(function (attr) {
        if (el.hasAttribute(attr)) {
          el.setAttribute(attr, swap(el.getAttribute(attr), oldPath, newPath, ".["));
        }
      });
      ["id", "for", "data-id"].forEach(function (attr) {
        if (el.hasAttribute(attr)) {
          el.setAttribute(attr, swap(el.getAttribute(attr), oldId, newId, "-"));
        }
      });
      if (el.hasAttribute("aria-describedby")) {
        el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").split(" ")
          .map(function (id) { return swap(id, oldId, newId, "-"); }).join(" "));
      }
      var action = el.getAttribute("name") === "_form_action" &&
        /^(add|remove):(.*)$/.exec(el.getAttribute("value") || "");
      if (action) {
        el.setAttribute("value", action[1] + ":" + swap(action[2], oldPath, newPath, ".[:"));
      }
    });
  }

  function own(array, selector) {
    return array.querySelector(":scope > " + selector);
  }

  function ownedBy(row, selector) {
    return Array.prototype.filter.call(row.querySelectorAll(selector), function (el) {
      return el.closest("[data-form-row]") === row;
    });
  }

  function renumber(array) {
    var path = array.getAttribute("data-path");
    var id = array.getAttribute("data-id");
    each.call(own(array, "[data-form-rows]").children, function (row, index) {
      var newPath = path + "[" + index + "]";
      if (row.getAttribute("data-path") !== newPath) {
        rename(row, row.getAttribute("data-path"), newPath, row.getAttribute("data-id"),
               id + "-" + index);
      }
      ownedBy(row, "[data-form-row-number]").forEach(function (el) {
        el.textContent = String(index + 1);
      });
      ownedBy(row, "[data-form-remove]").forEach(function (button) {
        button.setAttribute("value", "remove:" + path + ":" + index);
      });
    });
  }

  function focusIn(element) {
    var target = element && element.querySelector(
      "input:not([type=hidden]), select, textarea, button");
    if (target) target.focus();
  }

  function addRow(array) {
    var template = own(array, "template[data-form-template]");
    var row = template.content.firstElementChild.cloneNode(true);
    own(array, "[data-form-rows]").appendChild(row);
    renumber(array);
    focusIn(row);
  }

  function removeRow(array, row) {
    var next = row.nextElementSibling || row.previousElementSibling;
    row.parentNode.removeChild(row);
    renumber(array);
    if (next) focusIn(next);
    else own(array, "[data-form-add]").focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest &&
      event.target.closest("button[data-form-add], button[data-form-remove]");
    if (!button) return;
    var row = button.hasAttribute("data-form-remove") ? button.closest("[data-form-row]") : null;
    var array = (row || button).closest("[data-form-array]");
    if (!array) return;
    event.preventDefault();
    if (row) removeRow(array, row);
    else addRow(array);
  });

  // The error summary is announced (role="alert"); focusing it also puts keyboard users there.
  function focusSummary() {
    var summary = document.querySelector("[data-form-summary]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
}());
