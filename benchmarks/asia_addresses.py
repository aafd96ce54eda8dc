"""Held-out probe: Asian addresses written in English, are they masked whole?

Addresses in the conventions of Hong Kong, Singapore, Japan, Taiwan and Malaysia, written by
hand from the postal conventions (invented buildings and numbers, no real person's address),
BEFORE the rules of :mod:`privtune.scan.ner.postal` for them were written and never looked at
while writing them: a held-out check. Each goes into "Please ship it to {addr} by Friday.";
the analyzer runs; an address is *partial* when less than 80% of its characters lie inside
ADDRESS spans and *not whole* when any letter or digit of it lies outside them (a floor, a
block number, a postcode or a district left in the text leaks). Prints one JSON line per
region and a total; ``--show`` prints the ones not whole.

    python benchmarks/asia_addresses.py [--show]
"""

from __future__ import annotations

import argparse
import json

ADDRESSES: dict[str, tuple[str, ...]] = {
    "HK": (
        "Flat C, 23/F, Block 2, Laguna City, 55 Cha Kwo Ling Road, Kwun Tong, Kowloon",
        "Room 805, 8/F, Hang Seng Building, 77 Des Voeux Road Central, Central, Hong Kong",
        "Flat 12A, Tower 5, Taikoo Shing, 18 Tai Koo Wan Road, Quarry Bay, Hong Kong Island",
        "Rm 1607, 16/F, Kwai Fong Industrial Centre, 28 Kwai Fong Crescent, Kwai Chung, New Territories",
        "Shop 14, G/F, 132 Sai Yeung Choi Street South, Mong Kok, Kowloon",
        "Flat D, 7/F, 46 Pokfulam Road, Sai Ying Pun, Hong Kong",
        "Unit 1803, 18/F, Tower 2, 9 Sha Tin Centre Street, Sha Tin, N.T.",
        "Rm 5, 2/F, Block C, 120 Tai Po Road, Sham Shui Po, Kowloon",
        "Flat 6B, 31/F, Block 8, 3 Tin Shui Road, Tin Shui Wai, New Territories",
        "20/F, 100 Queen's Road East, Wan Chai, Hong Kong",
    ),
    "SG": (
        "Blk 456 Jurong West Street 41 #08-123 Singapore 640456",
        "Blk 21 Toa Payoh Lorong 7 #03-15, Singapore 310021",
        "10 Anson Road #26-04 International Plaza Singapore 079903",
        "Block 305 Tampines Avenue 4, #11-220, Singapore 520305",
        "80 Robinson Road, #02-00, Singapore 068898",
        "Blk 88 Bedok North Street 4 #05-301 Singapore 460088",
        "391A Orchard Road, #15-01 Ngee Ann City Tower B, Singapore 238873",
        "Blk 612 Choa Chu Kang Street 62 #14-88 S(680612)",
        "5 Changi Business Park Crescent, #04-05, Singapore 486027",
        "#07-11, 3 Temasek Boulevard, Singapore 038983",
    ),
    "JP": (
        "3-5-7 Ginza, Chuo-ku, Tokyo 104-0061",
        "4-12-1 Umeda, Kita-ku, Osaka 530-0001",
        "2-8-1 Nishi-Shinjuku, Shinjuku-ku, Tokyo 163-8001",
        "1-1 Marunouchi 2-chome, Chiyoda-ku, Tokyo 100-0005",
        "5-3-2 Sakae, Naka-ku, Nagoya, Aichi 460-0008",
        "〒650-0001 7-1-3 Kano-cho, Chuo-ku, Kobe, Hyogo",
        "Room 402, 6-10-1 Roppongi, Minato-ku, Tokyo 106-6140",
        "12-4 Kamigyo-ku, Kyoto 602-8570",
        "3-1-1 Higashi-Ikebukuro, Toshima-ku, Tokyo 170-8630",
        "8-2-5 Minami 2-jo Nishi, Chuo-ku, Sapporo, Hokkaido 060-0062",
    ),
    "TW": (
        "No. 45, Ln. 120, Sec. 3, Roosevelt Rd., Da'an Dist., Taipei City 106",
        "No. 18, Alley 6, Lane 310, Zhongzheng Rd., Banqiao Dist., New Taipei City 220",
        "12F., No. 88, Sec. 1, Jianguo N. Rd., Zhongshan Dist., Taipei City 104",
        "No. 100, Wenhua Rd., Xitun Dist., Taichung City 407",
        "3F-2, No. 51, Minsheng E. Rd., Songshan Dist., Taipei City 105",
        "No. 9, Lane 77, Sec. 4, Xinyi Rd., Da'an Dist., Taipei City 10683, Taiwan",
        "No. 321, Zhonghua 2nd Rd., Lingya Dist., Kaohsiung City 802",
        "No. 6, Aly. 2, Ln. 15, Daxue Rd., East Dist., Tainan City 701",
        "Rm. 502, No. 2, Sec. 2, Guangfu Rd., East Dist., Hsinchu City 300",
    ),
    "MY": (
        "No. 12, Jalan Ampang, 50450 Kuala Lumpur",
        "Lot 3-07, Level 3, Jalan Tun Razak, 50400 Kuala Lumpur, Wilayah Persekutuan",
        "No. 8, Jalan USJ 10/1, 47620 Subang Jaya, Selangor",
        "25, Lorong Kenari 3, Taman Sri Bayu, 11900 Bayan Lepas, Pulau Pinang",
        "B-12-5, Jalan Bukit Bintang, 55100 Kuala Lumpur",
        "No. 3, Jalan Setia Tropika 1/20, Taman Setia Tropika, 81200 Johor Bahru, Johor",
        "Unit 9-2, Jalan PJU 7/3, Mutiara Damansara, 47800 Petaling Jaya, Selangor Darul Ehsan",
        "No. 44, Jalan Maarof, Bangsar, 59000 Kuala Lumpur",
        "17, Jalan Tasek 51, Bandar Seri Botani, 31350 Ipoh, Perak",
    ),
}


def outside(text: str, start: int, end: int, spans) -> tuple[float, int]:
    """Share of ``text[start:end]`` inside ADDRESS spans, and how many letters/digits lie outside."""
    covered = [False] * (end - start)
    for s in spans:
        if s.type == "ADDRESS":
            for i in range(max(s.start, start), min(s.end, end)):
                covered[i - start] = True
    left = sum(1 for i, c in enumerate(covered) if not c and text[start + i].isalnum())
    return sum(covered) / max(1, end - start), left


def main() -> None:
    from privtune.scan.analyzer import Analyzer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print the addresses not masked whole")
    args = ap.parse_args()
    analyzer = Analyzer()
    totals = {"n": 0, "partial": 0, "not_whole": 0}
    for region, addrs in ADDRESSES.items():
        partial = not_whole = 0
        for addr in addrs:
            text = f"Please ship it to {addr} by Friday."
            start = text.index(addr)
            spans = analyzer.analyze(text)
            share, left = outside(text, start, start + len(addr), spans)
            partial += share < 0.8
            not_whole += left > 0
            if args.show and left:
                print(region, repr(addr), [(text[s.start : s.end], s.type) for s in spans])
        totals["n"] += len(addrs)
        totals["partial"] += partial
        totals["not_whole"] += not_whole
        print(json.dumps({"region": region, "n": len(addrs), "partial": partial, "not_whole": not_whole}))
    print(json.dumps({"region": "all", **totals}))


if __name__ == "__main__":
    main()
