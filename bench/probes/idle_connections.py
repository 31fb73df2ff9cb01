# RSS per idle keep-alive connection: open N connections, one small chat each, keep them open.
import socket, sys, time
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def rss():
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1])
body = b'{"model":"mock","messages":[{"role":"user","content":"' + b"x" * 900 + b'"}]}'
req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bench-key\r\n"
       b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
def one(s):
    s.sendall(req); data = b""
    while b"\r\n\r\n" not in data: data += s.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    cl = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < cl: rest += s.recv(65536)
warm = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
for s in warm: one(s)
for _ in range(3):
    for s in warm: one(s)
time.sleep(0.3); r0 = rss()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); one(s); socks.append(s)
time.sleep(0.3); r1 = rss()
print(f"rss before {r0} KiB after {r1} KiB: {(r1 - r0) / n:.2f} KiB per idle connection ({n})")
