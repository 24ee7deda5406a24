// The site's one script: full-text search through Pagefind's index (built with the site, in pagefind/).
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const field = document.getElementById("search-query");
const query = new URLSearchParams(location.search).get("q") || "";
field.value = query;

function say(text) {
  status.textContent = text;
}

async function search() {
  if (location.protocol === "file:") {
    say("Search works when the site is served: run `bestiary serve`, or put the site on any web host. " +
        "From a file, the taxonomy index lists every specimen, name and habitat.");
    return;
  }
  if (!query.trim()) {
    say("Type a title, an alias, a habitat or a phrase from a field log.");
    return;
  }
  say("Searching the files…");
  const site = new URL(".", location.href).pathname;
  const pagefind = await import("./pagefind/pagefind.js");
  await pagefind.options({ baseUrl: site });
  const found = await pagefind.search(query);
  const shown = await Promise.all(found.results.slice(0, 30).map((result) => result.data()));
  list.replaceChildren(...shown.map((page) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.meta.title;
    const excerpt = document.createElement("p");
    excerpt.innerHTML = page.excerpt;  // Pagefind's own markup: the page's text with <mark> around the words found
    item.append(link, excerpt);
    return item;
  }));
  const count = found.results.length;
  say(count === 0 ? `No file mentions “${query}”.`
    : `${count} file${count === 1 ? "" : "s"} for “${query}”${count > shown.length ? `, the first ${shown.length} shown` : ""}.`);
}

search().catch((error) => say(`Search failed: ${error.message}`));
