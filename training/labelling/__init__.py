"""``cleaner label``: a local web page to label dumps in a browser, retrain, and see how the model
now scores the site's pages.

- :mod:`.pages`: the dumps offered (read as ``cleaner predict`` reads inputs, ordered by
  ``cleaner suggest``'s uncertainty) and the name, site and language proposed for each;
- :mod:`.language`: the language by a vote of stopword hits;
- :mod:`.store`: saving a page's label file and manifest row, atomically, inside labels/ only;
- :mod:`.session`: the pages, the model, and retraining in the background;
- :mod:`.app`: the Starlette application and the guard that keeps other hosts and sites out;
- :mod:`.serve`: the socket, the URL, the browser, uvicorn;
- ``static/``: the page (HTML, one script, one style sheet), served from the package.
"""
