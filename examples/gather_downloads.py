# gather_downloads.py - the notes' three image downloads, done at the same
# time (each "download" is a sleep): gather gives the results in argument
# order, although the last one started finishes first.
import asyncio


async def download(url, seconds):
    print("start", url)
    await asyncio.sleep(seconds)
    print("done", url)
    return f"{url}: {len(url) * 100} bytes"


async def main():
    results = await asyncio.gather(download("a.jpg", 0.03),
                                   download("bb.jpg", 0.02),
                                   download("ccc.jpg", 0.01))
    for r in results:
        print(r)

asyncio.run(main())
