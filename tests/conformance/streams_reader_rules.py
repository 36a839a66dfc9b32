# streams_reader_rules: StreamReader over a socketpair with limit=8: a
# line may be the limit plus its newline; readuntil over the limit raises
# LimitOverrunError and consumes nothing; readline over the limit drops
# the line and raises ValueError; at end of file readexactly raises
# IncompleteReadError with what arrived, read() gives b"" and at_eof().
import asyncio
import socket


async def main():
    ours, peer = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours, limit=8)
    peer.sendall(b"12345678\n123456789\nABCDEFGHIJ;ok\nrest")
    peer.close()
    line = await reader.readline()
    print("readline:", line)
    try:
        await reader.readline()
    except ValueError:
        print("readline: line too long, dropped")
    try:
        await reader.readuntil(b";")
    except asyncio.LimitOverrunError:
        print("readuntil: limit overrun, nothing consumed")
    data = await reader.readexactly(11)
    print("readexactly:", data)
    line = await reader.readline()
    print("readline:", line)
    try:
        await reader.readexactly(10)
    except asyncio.IncompleteReadError as e:
        print("readexactly: incomplete, partial", e.partial)
    print("read:", await reader.read(100), "at_eof:", reader.at_eof())
    writer.close()
    await writer.wait_closed()

asyncio.run(main())
