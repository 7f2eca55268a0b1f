"""Record any websocket feed to a JSONL file and play it back verbatim.

``format`` (encode/decode with located errors) and ``timeline`` (which frames are
due when, under speed, pause, seek and step) are pure; ``recorder`` and ``player``
drive them over websockets.
"""
