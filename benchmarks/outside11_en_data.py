"""The English outside11 set: PERSON / ADDRESS / PHONE / ORGANIZATION in text shaped unlike this
project's other generated sets (see benchmarks/outside11_common.py for why and how).

    python benchmarks/outside11_en_data.py --n 5      # print a few records as JSON lines

Shapes: long narrative paragraphs, support tickets, forms, letters with postal blocks, bios,
reviews, chat with typos and lower-case names, dialogue with speaker labels. Every place, person,
organisation and phone number written into a record is labelled (a city alone is an ADDRESS, as
the corpora's LOC); nothing else in the templates is a name. Seeded: the same seed gives the same
records. ``benchmarks/ner_eval.py`` scores it as ``outside11_en`` (and its halves
``outside11_en.dev`` / ``outside11_en.test``).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from benchmarks.outside11_common import Slot, fill, generate_records, print_records  # noqa: E402
from benchmarks.outside11_en_pools import ADDRESS_MAKERS, HONORIFICS, ORGS, SINGLE_NAMES, person, phone  # noqa: E402

PHONE_CUES = ("Phone: ", "Tel. ", "tel: ", "Mob: ", "mobile ", "cell ", "call/text ", "reach me at ", "WhatsApp: ",
              "Landline: ", "Fax ", "Contact no. ", "ring me on ", "my number's ", "Tel.-Nr. ", "ph ")  # fmt: skip
TEMPLATES: tuple[str, ...] = (
    # narrative paragraphs
    "Last spring {full} left her post at {org} and moved with her two children to {addr_line}. Neighbours "
    "describe her as quiet, and the landlord says the rent was always paid on time.",
    "It was raining when {full} finally reached {city}. He had spent six years abroad, most of them with "
    "{full2}, and now he only wanted a bed and a hot meal.",
    "The committee thanked {full} for three decades of service. Her successor, {full2}, takes over in "
    "January and can be reached on {phone}.",
    "According to the police report, the van was registered to {full} of {addr_line}, who told officers it "
    "had been stolen two days earlier.",
    "Unlike the {last} novel everyone praised last year, this one drags in the middle, though the final "
    "chapters set in {city} are superb.",
    # support tickets
    "Ticket #{ticket}\nCustomer: {full}\nIssue: router keeps dropping the connection since Tuesday.\n"
    "Callback number: {phone}\nPreferred time: mornings",
    "Case {ticket} - escalated\nReported by {full} ({org}). Customer asked us to call back on {phone} "
    "before 5pm. Site address: {addr_line}.",
    "Hi support, {first} here again. still no refund for order {ticket}!! {phone_cue}{phone} or email pls",
    # forms
    "Full name: {full}\nAddress:\n{addr_block}\nPhone: {phone}\nEmergency contact: {full2}",
    "APPLICANT\nSurname: {last}\nGiven names: {first}\nResidential address: {addr_line}\nTelephone: {phone}",
    "Name / Nom: {full} | Tel: {phone} | Employer: {org}",
    "Delivery details\n{full}\n{addr_block}\n{phone_cue}{phone}",
    # letters
    "{full}\n{addr_block}\n\n14 March\n\nDear {hon} {last},\nThank you for your letter about the boundary "
    "wall. I have asked {full2} to visit on Friday.\nYours sincerely",
    "Dear {first},\nIt was lovely to see you in {city}. Please give my regards to {full2}.\nWarmly,\n{single}",
    "To whom it may concern,\nI confirm that {full} has worked for {org} since 2016 and lives at "
    "{addr_line}.\nSigned, {full2}",
    # bios
    "{full} (born 1979 in {city}) is an architect. After studying at {org}, she opened a small practice "
    "with {full2} and has since designed schools across the region.",
    "About the author: {full} grew up in {city} and now teaches at {org}. This is her third book.",
    "{single} is a self-taught photographer based in {city}. Bookings: {phone}.",
    # reviews and news-ish
    "Great stay! {first} at reception upgraded our room and recommended a restaurant near {addr_line}.",
    "{full} listed her top picks for the spring, from {city} street food to a bakery run by {full2}.",
    "Spokesperson {full} declined to comment, saying {org} would issue a statement on Monday.",
    # chat with typos and lower case
    "hey its {lfirst} lol, can u ring me on {phone} pls my battery is dying",
    "omg {lfull} just texted me, she's moving to {city}!!",
    "{first}: you saved me!\n{first2}: np, see u at {addr_line}",
    "ok so {lfirst} and {lfirst2} are coming saturday, address is {addr_line}, buzz {buzz}",
    "lmk if {first} still lives at {addr_line}, i have a parcel for her",
    "my name is {single} and i need to change my adress to {addr_line} thx",
    "new number!! {phone} - {lfirst}",
    "Agent: Good afternoon, who am I speaking with?\nCaller: This is {full}, {phone_cue}{phone}.\n"
    "Agent: Thanks, {hon} {last}.",
    "{hon} {last} called twice about the leak at {addr_line}. {phone_cue}{phone}",
    "Can someone pick up {first2} from {org} at 4? I'm stuck in {city} traffic",
    "sent the keys to {full}, {addr_block}",
    "Met {single} at the conference; she runs the {city} office of {org}.",
    "Kindly contact my colleague {full} ({phone_cue}{phone}) regarding the shipment.",
)


def _record(rng: random.Random) -> dict:
    first, last, _ = person(rng)
    first2, last2, _ = person(rng)
    lines, city = rng.choice(ADDRESS_MAKERS)(rng)
    slots: dict[str, Slot] = {
        "full": ("PERSON", f"{first} {last}"), "first": ("PERSON", first), "last": ("PERSON", last),
        "lfirst": ("PERSON", first.lower()), "lfull": ("PERSON", f"{first} {last}".lower()),
        "full2": ("PERSON", f"{first2} {last2}"), "first2": ("PERSON", first2),
        "lfirst2": ("PERSON", first2.lower()), "single": ("PERSON", rng.choice(SINGLE_NAMES)),
        "hon": rng.choice(HONORIFICS), "org": ("ORGANIZATION", rng.choice(ORGS)),
        "addr_line": ("ADDRESS", ", ".join(lines)), "addr_block": ("ADDRESS", "\n".join(lines)),
        "city": ("ADDRESS", city), "phone": ("PHONE", phone(rng)), "phone_cue": rng.choice(PHONE_CUES),
        "ticket": str(rng.randint(100000, 999999)), "buzz": str(rng.randint(1, 40)),
    }  # fmt: skip
    text, spans = fill(rng.choice(TEMPLATES), slots)
    return {"text": text, "spans": spans}


def generate(n: int, seed: int) -> list[dict]:
    """``n`` records, deterministic for a given seed."""
    return generate_records(_record, n, seed)


def main(argv: list[str] | None = None) -> None:
    print_records(generate, __doc__, argv)


if __name__ == "__main__":
    main()
