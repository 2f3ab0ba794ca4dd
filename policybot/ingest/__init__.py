"""Stage 1, files → Documents: bytes to text (loaders, html_text), scraped text to lines (reflow), text to a
Document with its clause tree (parser; units: 牵头/责任单位 lists; tables: task tables → rows), and the corpus
folder with its sidecar metadata and file digests (corpus). Imports only the data model and errors."""
