// The bot's messages are plain lines; a quoted guideline passage keeps its bullet lines
// ("- Kommunene bør …"), perhaps opening the quote ("«- Kommunene bør …"). These turn them into a
// real list, the « moved past the bullet so the words stay as the guideline wrote them. Used by
// the advisor console and (bundled by esbuild) the chat widget; the Teams cards do the same in
// api/teams/cards.py. Every character of the text is escaped: nothing in it becomes markup.
const ITEM = /^(«?)- (.*)$/;

// [{ lines: [...] }] for plain lines, [{ items: [...] }] for a list, in order.
export function blocks(text) {
  const out = [];
  for (const line of String(text).split("\n")) {
    const item = ITEM.exec(line);
    const last = out[out.length - 1];
    if (item && last && last.items) last.items.push(item[1] + item[2]);
    else if (item) out.push({ items: [item[1] + item[2]] });
    else if (last && last.lines) last.lines.push(line);
    else out.push({ lines: [line] });
  }
  return out;
}

export function escapeHtml(text) {
  const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  return String(text).replace(/[&<>"']/g, (c) => entities[c]);
}

// HTML for a message or a passage: lines as paragraphs with line breaks, bullet lines as <ul><li>.
export function textHtml(text) {
  return blocks(text)
    .map((block) =>
      block.items
        ? `<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`
        : `<p>${block.lines.map(escapeHtml).join("<br>")}</p>`,
    )
    .join("");
}

// Markdown for deep-chat's text bubble: every punctuation character is escaped, so a message
// cannot make links, emphasis or headings; only the lists are markdown.
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()#+\-.!<>|~&"'$%:;=?@^,/]/g;
const markdown = (line) => line.replace(MARKDOWN_PUNCTUATION, "\\$&");

export function textMarkdown(text) {
  return blocks(text)
    .map((block) =>
      block.items ? block.items.map((item) => `- ${markdown(item)}`).join("\n") : block.lines.map(markdown).join("\n"),
    )
    .join("\n\n");
}
