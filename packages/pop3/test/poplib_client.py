"""Drives the Madoguchi POP3 server with Python's poplib; prints what it saw as JSON.

usage: poplib_client.py PORT CAFILE ssl|stls USER PASSWORD [DELE-NUMBERS...]
"""

import base64
import json
import poplib
import ssl
import sys

port, cafile, mode, user, password = sys.argv[1:6]
to_delete = [int(n) for n in sys.argv[6:]]
context = ssl.create_default_context(cafile=cafile)

if mode == "ssl":
    pop = poplib.POP3_SSL("127.0.0.1", int(port), context=context, timeout=30)
else:
    pop = poplib.POP3("127.0.0.1", int(port), timeout=30)
    # poplib checks the certificate against the host name given to stls' socket: 127.0.0.1 is in the SAN.
    pop.stls(context=context)

try:
    capa = pop.capa()
    pop.user(user)
    pop.pass_(password)
except poplib.error_proto as error:
    print(json.dumps({"error": error.args[0].decode()}))
    sys.exit(0)

count, size = pop.stat()
_, listing, _ = pop.list()
_, uidl, _ = pop.uidl()
messages = []
for number in range(1, count + 1):
    _, lines, _ = pop.retr(number)
    # poplib strips CRLF and un-stuffs dots; put the line ends back.
    messages.append(base64.b64encode(b"".join(line + b"\r\n" for line in lines)).decode())
_, top, _ = pop.top(1, 0) if count else (None, [], None)
for number in to_delete:
    pop.dele(number)
bye = pop.quit()
print(
    json.dumps(
        {
            "capa": sorted(capa.keys()),
            "stat": [count, size],
            "list": [line.decode() for line in listing],
            "uidl": [line.decode() for line in uidl],
            "messages": messages,
            "top": [line.decode("latin-1") for line in top],
            "quit": bye.decode(),
        }
    )
)
