"""The web edition: takes the book, the print edition's pages and the built files (PDF, EPUB, dossiers);
gives a static site's files (pages, stylesheet, fonts, share cards, search index, downloads) by path."""
