// Copy buttons: progressive enhancement; the text fields stay selectable without script.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copyTarget);
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    const label = button.textContent;
    button.textContent = button.dataset.copiedLabel || "✔";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
