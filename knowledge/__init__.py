"""Knowledge engine: the guideline texts as cited passages, searchable by BM25 and dense vectors."""
