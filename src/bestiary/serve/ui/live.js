// The serve pages follow the server's status (Server-Sent Events from /__events): the bar shows the
// build's state and problems at once; the index shows the new PDF at the specimen that changed; a
// preview page loads each new version of its document beside the old one, scrolls it to the same
// place, then swaps, or goes to the specimen that changed. Every request here and in the frames is
// same-origin, so it carries the preview's token cookie (http.py) with no code of ours.
"use strict";
(() => {
  const body = document.body;
  const page = body.dataset.page;
  const statusLine = document.getElementById("status");
  const problems = document.getElementById("problems");
  const pdfLink = document.getElementById("pdf-link");
  const epubLink = document.getElementById("epub-link");
  const webLink = document.getElementById("web-link");
  let shownBuild = Number(body.dataset.build || 0);
  let shownPreview = Number(body.dataset.preview || 0);

  function setLink(link, href, fragment) {
    link.hidden = !href;
    if (href) link.href = href + fragment;
  }

  function show(status) {
    statusLine.textContent = status.label;
    statusLine.className = "status state-" + status.state;
    problems.textContent = status.problems.join("\n");
    problems.hidden = status.problems.length === 0;
    setLink(pdfLink, status.pdf, page === "preview" ? "#nameddest=" + body.dataset.anchor : "");
    setLink(epubLink, status.epub, "");
    setLink(webLink, status.web, page === "preview" ? body.dataset.webPage || "" : "");
  }

  function followIndex(status) {
    if (body.dataset.state === "building" && status.state !== "building") {
      location.reload();  // the first build is done: the index becomes the book
      return;
    }
    if (status.build <= shownBuild) return;
    shownBuild = status.build;
    if (!status.build_ok) return;  // a failed build left the PDF as it was
    const frame = document.getElementById("pdf-frame");
    if (!frame) {
      location.reload();
      return;
    }
    // open the new PDF at the specimen that changed, not at page 1
    const where = status.changed_anchor ? "#nameddest=" + status.changed_anchor : "#view=FitH";
    frame.src = status.pdf + "?build=" + status.build + where;
  }

  const frames = document.querySelector(".frames");

  function adopt(frame) {
    // the frame shows another specimen (a related card was followed, or a save moved it): name it
    let path;
    try {
      path = frame.contentWindow.location.pathname;
    } catch (error) {
      return;
    }
    const match = /\/specimen-([a-z0-9-]+)\.xhtml$/.exec(path);
    if (match) {
      body.dataset.anchor = "specimen-" + match[1];
      history.replaceState(null, "", "/preview/" + match[1]);
      if (pdfLink.href) pdfLink.href = pdfLink.href.split("#")[0] + "#nameddest=" + body.dataset.anchor;
    }
    if (frame.contentDocument && frame.contentDocument.title) {
      document.title = frame.contentDocument.title + ": preview";
    }
  }

  function swap(src, scrollY) {
    const old = frames.querySelector("iframe.current");
    frames.querySelectorAll("iframe.loading").forEach((frame) => frame.remove());  // overtaken by a newer save
    const next = document.createElement("iframe");
    next.className = "loading";
    next.title = old.title;
    next.addEventListener("load", async () => {
      try {
        await next.contentDocument.fonts.ready;  // the same place means the same fonts
      } catch (error) { /* no document: shown as it is */ }
      next.contentWindow.scrollTo(0, scrollY);
      old.remove();
      next.className = "current";
      adopt(next);
      next.addEventListener("load", () => adopt(next));
      window.dispatchEvent(new CustomEvent("bestiary:preview-updated", {detail: {preview: shownPreview}}));
    }, {once: true});
    next.src = src;
    frames.appendChild(next);
  }

  function followPreview(status) {
    if (status.preview <= shownPreview) return;
    shownPreview = status.preview;
    const current = frames.querySelector("iframe.current");
    if (current.getAttribute("src") === "about:blank") {
      location.reload();  // opened while the book had errors: now it loads
      return;
    }
    let here = null;
    let scrollY = 0;
    try {
      here = current.contentWindow.location.pathname;
      scrollY = current.contentWindow.scrollY;
    } catch (error) { /* not loaded yet */ }
    if (status.changed_href && status.changed_href !== here) {
      swap(status.changed_href, 0);  // another specimen was saved: go to it
    } else {
      swap(here || current.getAttribute("src"), scrollY);  // this one, or a layout: same place
    }
  }

  if (frames) {
    const first = frames.querySelector("iframe.current");
    first.addEventListener("load", () => adopt(first));
  }

  const events = new EventSource("/__events");
  events.onmessage = (event) => {
    const status = JSON.parse(event.data);
    show(status);
    if (page === "index") followIndex(status);
    else followPreview(status);
  };
  events.onerror = () => {
    statusLine.textContent = "not connected: is bestiary serve still running? (retrying)";
    statusLine.className = "status state-failed";
  };
})();
