"""Drives the server with Python's imaplib over implicit TLS; prints one JSON object."""
import imaplib
import json
import ssl
import sys

port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}
M = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=10)
out["login"] = M.login("alice@example.co.jp", "correct horse 1")[0]
typ, boxes = M.list()
out["list"] = [b.decode() for b in boxes]
typ, data = M.select('"Shared/info@example.co.jp/INBOX"')
out["exists"] = int(data[0])
M.literal = "請求書".encode("utf-8")
typ, data = M.uid("SEARCH", "CHARSET", "UTF-8", "SUBJECT")
out["search_utf8"] = data[0].decode().split()
M.literal = "請求書".encode("iso2022_jp")
typ, data = M.uid("SEARCH", "CHARSET", "ISO-2022-JP", "BODY")
out["search_jis"] = data[0].decode().split()
first = out["search_utf8"][0]
typ, data = M.uid("FETCH", first, "(BODYSTRUCTURE ENVELOPE)")
out["fetch"] = data[0].decode("utf-8", "replace") if isinstance(data[0], bytes) else data[0][0].decode()
typ, data = M.uid("STORE", first, "+FLAGS", "(\\Flagged $Status_InProgress)")
out["store"] = data[0].decode()
typ, data = M.append('"Shared/info@example.co.jp/Drafts"', "\\Draft", None, b"Subject: from python\r\n\r\nhello\r\n")
out["append"] = [typ, M.response("APPENDUID")[1][0].decode()]
typ, data = M.uid("COPY", first, '"Shared/info@example.co.jp/Archive"')
out["copy"] = [typ, M.response("COPYUID")[1][0].decode()]
for name in ("nobody@example.co.jp", "info@example.co.jp/../x"):
    typ, data = M.select('"Shared/%s/INBOX"' % name)
    out.setdefault("select_missing", []).append(typ + " " + data[0].decode())
out["logout"] = M.logout()[0]
print(json.dumps(out, ensure_ascii=False))
