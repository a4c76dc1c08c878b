"""An article's full text: fetched from its page on request, extracted, kept offline.

`net` says where a fetch may connect, `extract` and `markdown` turn a page into Markdown,
`fetch` fetches one article's page (`fetch_one`, for a worker thread) or many, `store`
keeps the texts (`TextStore`) and answers the filter's words, `reading` estimates the
reading time. No Textual here.
"""
