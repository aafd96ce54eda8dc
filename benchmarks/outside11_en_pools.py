"""Hand-written name, address and phone pools of the English outside11 set (see outside11_common).

Names are written here per naming tradition (no Faker locale, no project lexicon), with the shapes
that trip name detectors: particles (van der, da, al-, bin), hyphens, apostrophes, diacritics,
transliterations, patronymics, single names. Addresses and phones follow each country's own
postal and dialling conventions (multi-line blocks included); digits are random.
"""

from __future__ import annotations

import random

from benchmarks.outside11_common import shape

# tradition -> (given names, family names). A family name may hold a particle or a hyphen.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "yoruba_igbo": (("Adebayo", "Oluwaseun", "Chiamaka", "Ngozi", "Temitope", "Ifeoma", "Babatunde", "Chukwuemeka"),
                    ("Okonkwo", "Adeyemi-Bello", "Oyelaran", "Nwachukwu", "Ogunleye", "Eze", "Afolabi", "Obiora")),
    "akan_ewe": (("Kwabena", "Akosua", "Yaw", "Efua", "Kofi", "Ama", "Selorm", "Edem"),
                 ("Owusu-Ansah", "Mensah", "Agyeman", "Boateng", "Asante", "Gbeho", "Darko", "Amoako")),
    "east_africa": (("Wanjiru", "Otieno", "Abebe", "Tigist", "Hodan", "Faraji", "Nyokabi", "Tesfaye"),
                    ("Kamau", "Odhiambo", "Gebremariam", "Warsame", "Mwangi", "Haile", "Abdi", "Njoroge")),
    "arabic": (("Yousef", "Layla", "Hamza", "Mariam", "Khalid", "Noor", "Tariq", "Rania"),
               ("al-Hashimi", "Abu Zaid", "bin Saleh", "El-Masry", "Haddad", "Qureshi", "Al Mansour", "Nasrallah")),
    "persian_kurdish": (("Dariush", "Shirin", "Kaveh", "Parisa", "Arash", "Niloufar", "Rebin", "Soran"),
                        ("Farahani", "Tehrani", "Mohammadzadeh", "Karimi", "Barzani", "Rostami", "Jafari", "Ahmadi")),
    "slavic_east": (("Dmitri", "Yulia", "Oleksandr", "Anastasiya", "Vsevolod", "Kseniya", "Bohdan", "Svetlana"),
                    ("Kuznetsova", "Shevchenko", "Volkov", "Bondarenko", "Lebedev", "Tkachuk", "Morozova", "Zhukov")),
    "polish_baltic": (("Łukasz", "Małgorzata", "Grzegorz", "Agnieszka", "Wojciech", "Žydrūnė", "Aigars", "Katarzyna"),
                      ("Wróbel", "Szczepańska", "Brzęczyszczykiewicz", "Kowalczyk", "Jankauskas", "Bērziņš",
                       "Zieliński", "Dąbrowska")),  # fmt: skip
    "hungarian_balkan": (("Krisztina", "Zsolt", "Gergő", "Milica", "Dragan", "Jelena", "Bogdan", "Ljiljana"),
                         ("Vámos", "Szőke", "Horváth", "Đorđević", "Petrović", "Nikolić", "Tóth", "Jovanović")),
    "greek_caucasus": (("Eleftheria", "Panagiotis", "Nino", "Giorgi", "Anahit", "Tigran", "Vasiliki", "Levan"),
                       ("Papadopoulou", "Karamanlis", "Beridze", "Gelashvili", "Hovhannisyan", "Sargsyan",
                        "Konstantinidis", "Tsiklauri")),  # fmt: skip
    "nordic": (("Søren", "Ingrid", "Halldór", "Sigrún", "Aleksi", "Maija", "Bjørn", "Eyvind"),
               ("Kjærgaard", "Halvorsen", "Sigurðardóttir", "Jónsson", "Virtanen", "Lindqvist", "Østergaard", "Mäkelä")),
    "dutch_german": (("Joost", "Femke", "Wouter", "Annelies", "Jörg", "Friederike", "Maarten", "Hendrika"),
                     ("van der Meulen", "de Vries", "van Dijk", "ter Horst", "von Bülow", "Schäfer-Lindner",
                      "Oberhäuser", "van den Broek")),  # fmt: skip
    "romance": (("Giulia", "Matteo", "Inês", "João", "Ainhoa", "Íñigo", "Aurélie", "Benoît"),
                ("D'Angelo", "Di Stefano", "da Costa", "dos Santos", "García-Márquez", "Etxeberria", "Le Goff",
                 "d'Arcy")),  # fmt: skip
    "irish_scots": (("Siobhán", "Oisín", "Caoimhe", "Pádraig", "Niamh", "Ruairí", "Eilidh", "Lachlan"),
                    ("O'Sullivan", "MacGillivray", "Ní Bhriain", "McAllister", "Ó Súilleabháin", "MacLeod",
                     "O'Donoghue", "Fitzgerald")),  # fmt: skip
    "south_asia": (("Priya", "Venkatesh", "Anjali", "Harpreet", "Farhana", "Sanjeewa", "Meenakshi", "Rohan"),
                   ("Ramanathan", "Subramaniam", "Chakraborty", "Gill", "Rahman", "Wickramasinghe",
                    "Deshpande", "Iyer")),  # fmt: skip
    "east_asia": (("Haruto", "Yui", "Ji-hoon", "Seo-yeon", "Xiaoming", "Meiling", "Takeshi", "Min-jun"),
                  ("Watanabe", "Kobayashi", "Park", "Choi", "Zhang", "Huang", "Yamaguchi", "Jeong")),
    "southeast_asia": (("Thi Lan", "Van Duc", "Somchai", "Kanya", "Marites", "Rizal", "Siti", "Arief"),
                       ("Nguyen", "Tran", "Wongsawat", "Srisuk", "Dela Cruz", "Bautista", "Rahayu", "Pangestu")),
    "pacific_maori": (("Aroha", "Tamati", "Mere", "Keoni", "Leilani", "Sione", "Ana", "Wiremu"),
                      ("Ngata", "Te Rangi", "Kahananui", "Tupou", "Fifita", "Parata", "Kealoha", "Tuilagi")),
    "turkic_central_asia": (("Aigerim", "Nurlan", "Dilnoza", "Timur", "Gulnara", "Bakhyt", "Aziz", "Madina"),
                            ("Nazarbayeva", "Abdullayev", "Tokayev", "Rakhimova", "Seitkali", "Karimov",
                             "Yusupova", "Bekmuratov")),  # fmt: skip
    "latin_america": (("Xiomara", "Yurisleidy", "Wilmer", "Dayana", "Anderson", "Maryuri", "Jhon", "Yeferson"),
                      ("Quispe", "Mamani", "Huanca", "Chávez-Ortiz", "Villca", "Condori", "Ccori", "Tzoc")),
}
# People known by one name (Indonesian, Burmese, Javanese, Somali nicknames, stage names).
SINGLE_NAMES = ("Wiranto", "Sukarni", "Aung", "Suharti", "Budiono", "Mulyani", "Thandiwe", "Tomasz", "Oyelaran",
                "Zainab", "Kiptoo", "Sopheap")  # fmt: skip
HONORIFICS = ("Mr", "Ms", "Mrs", "Dr", "Prof.", "Mx", "Herr", "Frau", "Señora", "Mme", "Sig.")

ORGS = ("Vattenfall Nordic", "Banco Itaú", "Grupo Bimbo", "Tata Consultancy Services", "Naspers", "Zalando",
        "Rabobank", "Ørsted", "Koç Holding", "Safaricom", "Dangote Cement", "Fonterra", "Kaspi Bank",
        "Universidad de los Andes", "Université Laval", "the University of Ibadan", "Stellenbosch University",
        "Lufthansa Technik", "Mahindra & Mahindra", "Jollibee Foods")  # fmt: skip


def person(rng: random.Random) -> tuple[str, str, str]:
    """(given, family, tradition) of one person."""
    trad = rng.choice(tuple(NAMES))
    firsts, lasts = NAMES[trad]
    return rng.choice(firsts), rng.choice(lasts), trad


# ---- addresses: (one line, multi-line block, city) per country --------------------------------
def _de(rng: random.Random) -> tuple[list[str], str]:
    st = rng.choice(("Lindenstraße", "Hauptstraße", "Am Markt", "Bahnhofstr.", "Schillerweg", "Kastanienallee",
                     "Friedrich-Ebert-Platz", "Mühlengasse"))  # fmt: skip
    city, plz = rng.choice((("München", "803##"), ("Leipzig", "041##"), ("Köln", "506##"), ("Bremen", "281##"),
                            ("Freiburg im Breisgau", "791##")))  # fmt: skip
    return [f"{st} {rng.randint(1, 140)}{rng.choice(('', '', 'a', 'b'))}", f"{shape(rng, plz)} {city}"], city


def _at_ch(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.5:
        st = rng.choice(("Gartengasse", "Mariahilfer Straße", "Praterstraße"))
        return [f"{st} {rng.randint(1, 90)}/{rng.randint(1, 24)}", f"1{shape(rng, '0#0')} Wien"], "Wien"
    st, city, plz = rng.choice((("Rue du Rhône", "Genève", "120#"), ("Bahnhofstrasse", "Zürich", "80##"),
                                ("Via Nassa", "Lugano", "690#")))  # fmt: skip
    return [f"{st} {rng.randint(1, 80)}", f"CH-{shape(rng, plz)} {city}"], city


def _fr_be(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.25:
        st = rng.choice(("Rue de la Loi", "Chaussée de Wavre", "Avenue Louise"))
        return [f"{st} {rng.randint(1, 300)}", f"{shape(rng, '10#0')} Bruxelles"], "Bruxelles"
    st = rng.choice(("rue des Lilas", "avenue Jean Jaurès", "boulevard Voltaire", "impasse du Moulin",
                     "place de la Mairie", "chemin des Vignes", "allée des Tilleuls"))  # fmt: skip
    city, cp = rng.choice((("Lyon", "6900#"), ("Bordeaux", "33000"), ("Rennes", "35000"), ("Marseille", "130##"),
                           ("Montpellier", "34000")))  # fmt: skip
    extra = rng.choice(("", "", "Bât. B, ", "Appt 14, ", "Résidence Les Pins, "))
    num = f"{rng.randint(1, 120)}{rng.choice(('', '', ' bis', ' ter'))}"
    return [f"{extra}{num} {st}", f"{shape(rng, cp)} {city}"], city


def _it(rng: random.Random) -> tuple[list[str], str]:
    st = rng.choice(("Via Garibaldi", "Piazza della Repubblica", "Corso Vittorio Emanuele II", "Viale dei Mille",
                     "Via San Gregorio", "Vicolo del Cinque"))  # fmt: skip
    city, cap, prov = rng.choice((("Milano", "201##", "MI"), ("Firenze", "501##", "FI"), ("Napoli", "801##", "NA"),
                                  ("Torino", "101##", "TO"), ("Bari", "701##", "BA")))  # fmt: skip
    return [f"{st} {rng.randint(1, 200)}", f"{shape(rng, cap)} {city} ({prov})"], city


def _es(rng: random.Random) -> tuple[list[str], str]:
    st = rng.choice(("Calle Mayor", "C/ de Mallorca", "Avda. de la Constitución", "Paseo de la Castellana",
                     "Plaza del Pilar", "Calle de Alcalá"))  # fmt: skip
    city, cp = rng.choice((("Madrid", "280##"), ("Barcelona", "080##"), ("Sevilla", "410##"), ("Zaragoza", "500##"),
                           ("Bilbao", "480##")))  # fmt: skip
    floor = rng.choice(("", f", {rng.randint(1, 9)}º {rng.choice('ABCD')}", f", {rng.randint(1, 6)}º izq."))
    return [f"{st} {rng.randint(1, 250)}{floor}", f"{shape(rng, cp)} {city}"], city


def _pt_br(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.4:
        st = rng.choice(("Rua Augusta", "Avenida da Liberdade", "Travessa do Carmo", "Rua de Santa Catarina"))
        city, cp = rng.choice((("Lisboa", "1###-###"), ("Porto", "4###-###")))
        return [f"{st} {rng.randint(1, 300)}, {rng.randint(1, 6)}º Esq.", f"{shape(rng, cp)} {city}"], city
    st = rng.choice(("Rua das Flores", "Av. Paulista", "Rua Oscar Freire", "Travessa São José", "Alameda Santos",
                     "Rua XV de Novembro"))  # fmt: skip
    city, uf, cep = rng.choice((("São Paulo", "SP", "0####-###"), ("Curitiba", "PR", "80###-###"),
                                ("Recife", "PE", "50###-###"), ("Belo Horizonte", "MG", "30###-###")))  # fmt: skip
    bairro = rng.choice(("Jardim Paulista", "Bela Vista", "Centro", "Boa Viagem", "Savassi"))
    apt = rng.choice(("", f", Apto {rng.randint(11, 184)}", f", Bloco B, Apt. {rng.randint(11, 99)}"))
    return [f"{st}, {rng.randint(1, 3000)}{apt}", f"{bairro}, {city} - {uf}", f"CEP {shape(rng, cep)}"], city


def _nl(rng: random.Random) -> tuple[list[str], str]:
    st = rng.choice(("Keizersgracht", "Dorpsstraat", "Oudegracht", "Laan van Meerdervoort", "Kerkstraat"))
    city = rng.choice(("Amsterdam", "Utrecht", "Den Haag", "De Bilt", "'s-Hertogenbosch"))
    suf = rng.choice(("", "", "-II", " hs", "A"))
    return [f"{st} {rng.randint(1, 400)}{suf}", f"{shape(rng, 'N###')} {rng.choice('ABCDEHJKLMNPRST')}"
            f"{rng.choice('ABCDEHJKLMNPRST')} {city}"], city


def _pl_cz(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.7:
        st = rng.choice(("ul. Marszałkowska", "ul. Długa", "al. Jerozolimskie", "os. Kalinowe", "ul. Świętojańska"))
        city, kod = rng.choice((("Warszawa", "00-###"), ("Kraków", "31-###"), ("Gdańsk", "80-###"),
                                ("Wrocław", "50-###")))  # fmt: skip
        return [f"{st} {rng.randint(1, 120)}/{rng.randint(1, 60)}", f"{shape(rng, kod)} {city}"], city
    st = rng.choice(("Vinohradská", "Náměstí Míru", "Kounicova"))
    return [f"{st} {rng.randint(1, 90)}", f"{shape(rng, '1## ##')} Praha {rng.randint(1, 10)}"], "Praha"


def _nordic(rng: random.Random) -> tuple[list[str], str]:
    st, city, pc = rng.choice((("Drottninggatan", "Stockholm", "1## ##"), ("Nørrebrogade", "København N", "2200"),
                               ("Karl Johans gate", "Oslo", "01##"), ("Mannerheimintie", "Helsinki", "00###")))
    floor = rng.choice(("", "", f", {rng.randint(1, 5)}. th."))
    return [f"{st} {rng.randint(1, 99)}{floor}", f"{shape(rng, pc)} {city}"], city.split()[0]


def _jp(rng: random.Random) -> tuple[list[str], str]:
    ward, city, pc = rng.choice((("Shibuya-ku", "Tokyo", "150-00##"), ("Minato-ku", "Tokyo", "107-00##"),
                                 ("Kita-ku", "Osaka", "530-00##"), ("Naka-ku", "Yokohama", "231-00##")))  # fmt: skip
    area = rng.choice(("Jingumae", "Minami-Aoyama", "Umeda", "Motomachi", "Ebisu-Nishi"))
    room = rng.choice(("", f"Room {rng.randint(101, 1205)}, ", f"Sunny Heights {rng.randint(101, 705)}, "))
    return [f"{room}{rng.randint(1, 6)}-{rng.randint(1, 30)}-{rng.randint(1, 20)} {area}", f"{ward}, {city}",
            f"{shape(rng, pc)}"], city  # fmt: skip


def _kr(rng: random.Random) -> tuple[list[str], str]:
    road = rng.choice(("Teheran-ro", "Sejong-daero", "Olympic-ro", "Haeundae-ro", "Dongil-ro"))
    gu, city = rng.choice((("Gangnam-gu", "Seoul"), ("Jung-gu", "Seoul"), ("Haeundae-gu", "Busan"),
                           ("Songpa-gu", "Seoul")))  # fmt: skip
    apt = rng.choice(("", f"Apt {rng.randint(101, 2304)}, ", f"{rng.randint(101, 112)}-dong {rng.randint(101, 1804)}-ho, "))
    return [f"{apt}{rng.randint(1, 400)} {road}", f"{gu}, {city} {shape(rng, '0####')}"], city


def _in(rng: random.Random) -> tuple[list[str], str]:
    city, state, pin = rng.choice((("Bengaluru", "Karnataka", "5600##"), ("Hyderabad", "Telangana", "5000##"),
                                   ("Pune", "Maharashtra", "4110##"), ("Noida", "Uttar Pradesh", "2013##"),
                                   ("Chennai", "Tamil Nadu", "6000##")))  # fmt: skip
    first = rng.choice((f"Flat {rng.randint(101, 904)}, Sai Krupa Apartments", f"H.No. {rng.randint(1, 9)}-"
                        f"{rng.randint(1, 9)}-{rng.randint(10, 300)}", f"B-{rng.randint(1, 99)}, Sector "
                        f"{rng.randint(1, 80)}", f"No. {rng.randint(1, 60)}, {rng.randint(1, 20)}th Cross"))  # fmt: skip
    area = rng.choice(("Indiranagar", "Banjara Hills", "Koregaon Park", "Near Shiv Mandir", "T. Nagar"))
    return [first, area, f"{city}, {state} {shape(rng, pin)}"], city


def _au_nz(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.3:
        st = rng.choice(("Ponsonby Road", "Cuba Street", "Riccarton Road"))
        city, pc = rng.choice((("Auckland", "10##"), ("Wellington", "60##"), ("Christchurch", "80##")))
        return [f"Flat {rng.randint(1, 9)}, {rng.randint(1, 300)} {st}", f"{city} {shape(rng, pc)}"], city
    st = rng.choice(("Smith St", "Brunswick Street", "Glenferrie Rd", "Oxford St", "Boundary Road"))
    sub, state, pc = rng.choice((("Fitzroy", "VIC", "3065"), ("Paddington", "NSW", "2021"), ("Subiaco", "WA", "6008"),
                                 ("West End", "QLD", "4101")))  # fmt: skip
    return [f"Unit {rng.randint(1, 20)}/{rng.randint(1, 200)} {st}", f"{sub} {state} {pc}"], sub


def _za(rng: random.Random) -> tuple[list[str], str]:
    st = rng.choice(("Long Street", "Jan Smuts Ave", "Florida Road", "Church Street"))
    sub, city, pc = rng.choice((("Gardens", "Cape Town", "8001"), ("Rosebank", "Johannesburg", "2196"),
                                ("Morningside", "Durban", "4001"), ("Hatfield", "Pretoria", "0083")))  # fmt: skip
    return [f"{rng.randint(1, 300)} {st}", sub, f"{city}, {pc}"], city


def _mx_latam(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.3:
        return [f"Av. Corrientes {rng.randint(100, 6000)}, piso {rng.randint(1, 12)}, dpto {rng.choice('ABCD')}",
                f"C{shape(rng, '1###')} CABA, Argentina"], "Buenos Aires"  # fmt: skip
    st = rng.choice(("Av. Insurgentes Sur", "Calle 5 de Mayo", "Av. Revolución", "Calle Hidalgo"))
    col, cp, city = rng.choice((("Col. Del Valle", "03100", "Ciudad de México, CDMX"), ("Centro", "68000", "Oaxaca, Oax."),
                                ("Col. Americana", "44160", "Guadalajara, Jal.")))  # fmt: skip
    return [f"{st} #{rng.randint(1, 2000)}, {col}", f"{cp} {city}"], city.split(",")[0]


def _uk_ie(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.4:
        return [f"Apt {rng.randint(1, 40)}, The Maltings", f"{rng.choice(('Ranelagh', 'Phibsborough'))}, Dublin 8",
                f"D08 {rng.choice('XKVW')}{shape(rng, '#')}{rng.choice('KTPY')}{shape(rng, '#')}"], "Dublin"
    st = rng.choice(("Ashby Road", "Crescent Gardens", "Mill Lane", "Victoria Terrace"))
    city, pc = rng.choice((("Loughborough", "LE11 3TU"), ("Leeds", "LS6 2QE"), ("Cardiff", "CF24 4HQ"),
                           ("Inverness", "IV2 3NF")))  # fmt: skip
    return [f"Flat {rng.randint(1, 9)}, {rng.randint(1, 140)} {st}", f"{city} {pc}"], city


def _tr_ru(rng: random.Random) -> tuple[list[str], str]:
    if rng.random() < 0.5:
        return [f"Bağdat Cad. No:{rng.randint(1, 400)} D:{rng.randint(1, 20)}", f"Kadıköy/İstanbul {shape(rng, '347##')}"], "İstanbul"
    return [f"ul. Tverskaya, d. {rng.randint(1, 30)}, kv. {rng.randint(1, 200)}", f"Moskva {shape(rng, '125###')}"], "Moskva"


ADDRESS_MAKERS = (_de, _at_ch, _fr_be, _it, _es, _pt_br, _nl, _pl_cz, _nordic, _jp, _kr, _in, _au_nz, _za,
                  _mx_latam, _uk_ie, _tr_ru)  # fmt: skip

# ---- phones in national formats (digits random) -----------------------------------------------
PHONE_SHAPES = (
    "030 #######", "+49 (0)89 ### ####", "0171 #######", "06 ## ## ## ##", "06.##.##.##.##", "+33 6 ## ## ## ##",
    "347 ### ####", "+39 02 #### ####", "6## ## ## ##", "+34 91 ### ## ##", "91# ### ###", "+351 21 ### ####",
    "(11) 9####-####", "+55 21 9####-####", "06-########", "020 ### ####", "+31 6 ########", "5## ### ###",
    "+48 22 ### ## ##", "090-####-####", "03-####-####", "+81 90 #### ####", "010-####-####", "+82 10-####-####",
    "98### #####", "+91 98### #####", "0412 ### ###", "(02) 9### ####", "+61 4## ### ###", "082 ### ####",
    "+27 21 ### ####", "55 #### ####", "+52 1 55 #### ####", "0471 ## ## ##", "+32 2 ### ## ##", "07### ######",
    "+44 20 #### ####", "087 ### ####", "+353 1 ### ####", "+90 532 ### ## ##", "8 (9##) ###-##-##",
    "+7 495 ###-##-##", "+254 7## ######", "0803 ### ####", "+234 80# ### ####", "+64 21 ### ####",
    "#### ####", "+46 70 ### ## ##", "+45 ## ## ## ##",
)  # fmt: skip


def phone(rng: random.Random) -> str:
    return shape(rng, rng.choice(PHONE_SHAPES))
