"""Stories: articles of several outlets about one news event, grouped (no Textual here).

`features` makes an article's story keys when its file is parsed, `rule` says whether two
articles report one event, `grouping` finds the stories of a feed, and `rows` gives what
the list and `reader list --stories` show of them.
"""
