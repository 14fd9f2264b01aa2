// Server-sent events read with fetch, so a bearer token travels in a header and never in a URL
// (EventSource cannot send headers). Shared by the advisor console and the chat widget.
export async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (type && data) onEvent(type[1], JSON.parse(data[1]));
    }
  }
}
