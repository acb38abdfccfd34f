// entityscreen web page: small helpers only; every page works without this script.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.classList.contains("decide")) return;
  const decision = form.elements.decision.value;
  const reason = form.elements.reason.value.trim();
  if (!decision || !reason) {
    event.preventDefault();
    alert("Choose a decision and give a reason.");
  }
});
