"""Word lists of the postal street-address pattern (:mod:`privtune.scan.ner.postal`): street
types of many countries, the Australian road types, connectors inside names, and the words that
are no town. Data only, kept apart from the matching code."""

# Street-type words written as a separate word (any case), most languages of Europe and
# Latin America, Indonesian, Turkish; abbreviations keep their dot.
STREET_WORDS = (
    "rue avenue av. ave. boulevard bd bd. chemin allée impasse place quai route cours square "
    "via viale piazza piazzale corso largo vicolo strada contrada stretto borgo "
    "calle avenida av plaza paseo carrera camino ronda travesía cuesta pasadizo vial c. "
    "rambla glorieta cañada pasaje carretera carrer avinguda rotonda acceso "
    "urbanización privada andador diagonal callejón "
    "rua travessa praça alameda estrada largo rodovia sítio vila recanto campo lago "
    "conjunto setor quadra viela loteamento chácara fazenda favela colônia distrito viaduto "
    "esplanada vereda feira lagoa praia ladeira estação pátio morro núcleo parque trevo trecho "
    "condomínio jardim aeroporto "
    "ulica ul. aleja al. plac pl. osiedle os. "
    "utca út tér körút köz sor "
    "cesta ulice náměstí třída nábřeží "
    "strada str. bulevardul calea soseaua șoseaua intrarea aleea splaiul "
    "jalan jl. jln. gang gg. "
    "caddesi cad. cd. sokak sokağı sk. bulvarı mahallesi mah. "
    "marg nagar chowk ganj gali bazar bazaar "
    "straße strasse gasse weg platz allee "
    "street road lane avenue drive court "
    "rd. ave lorong persiaran lebuh"
).split()
# Endings of one-word street names: Hauptstraße, Fleischmannstr., Jentesingel, Bergensvej ...
STREET_ENDINGS = (
    "straße strasse str. gasse weg platz allee ring damm ufer chaussee steig pfad markt "
    "straat laan dreef steeg singel gracht kade plein hof pad lei dijk "
    "gatan vägen gränd stigen torget backen "
    "vej gade allé plads stræde "
    "veien vegen gata gate stien holtet toppen "
    "katu tie kuja polku bulevardi kaari "
    "-ro -gil -daero"
).split()
# Road types of Australia and New Zealand (the AS/NZS 4819 list Australia Post uses) that the
# English lexicon lacks. Many are ordinary words too ("Close", "Rise", "Gap"), so they count
# only after a house number and a capitalised name ("7 Walker Close"), never as "Close 7".
NUMBER_FIRST_TYPES = frozenset(
    "alleyway amble anchorage approach arcade artery basin bend boardwalk boulevarde brace brae "
    "broadway brow byway centreway circlet circuit circus close colonnade concourse copse corso "
    "courtyard crossway cruiseway cul-de-sac cutting dell deviation dip driveway elbow esplanade "
    "fairway firetrail footway foreshore frontage gap glade grange gully highroad interchange "
    "intersection laneway lees lookout meander mew nook outlook parade parklands pathway plateau "
    "promenade quad quadrangle quadrant quay quays ramble reserve retreat ridgeway rise riverway "
    "riviera roadside roadway ronde rosebowl rotary siding strand strip subway tarn thoroughfare "
    "tollway tor triangle trunkway turn vale villas walkway wharf wynd".split()
)
# The rest of that list are everyday English words ("Top", "Front", "Block", "Break", "Upper"):
# after a number they make a street only with the town and postcode after it
# ("15 Lauren Block, Johnsonhaven, QLD, 2947"), not in a title ("5 Tips Before You Break").
PLAIN_WORD_TYPES = frozenset(
    "access beach block break centre chase cross edge entrance end follow formation front gate "
    "gates ground line little lower part pocket range reach ride ring round slope sound stairs "
    "steps top towers trailer upper wade yard".split()
)

# Words that may sit lower-case inside a street or town name.
CONNECTORS = frozenset(
    "de del della dei degli delle dello dal dalla di da das do dos la le les los el du des van der den het "
    "am an im auf bei "
    "nad pod na u sur sous en y e et aan op i the of vorm ob bij gem".split()
)

# Street words that open the street's name ("Rua das Flores", "ulica Słowicza", "Via Roma"):
# the street starts there, not at the capitalised words before them.
PREFIX_TYPES = frozenset(
    "rue avenue av. boulevard bd chemin allée impasse place quai route via viale piazza corso largo "
    "vicolo strada calle avenida plaza paseo carrera camino ronda rua travessa praça alameda estrada "
    "ulica ul. aleja al. plac pl. osiedle os. bulevardul calea soseaua șoseaua intrarea aleea jalan "
    "jl. gang gg. privada andador urbanización sítio vila recanto campo lago cuesta pasadizo vial rodovia "
    "contrada stretto borgo c. rambla glorieta cañada pasaje carretera carrer avinguda rotonda acceso "
    "conjunto setor quadra viela loteamento chácara fazenda favela colônia distrito viaduto esplanada "
    "vereda feira lagoa praia ladeira estação pátio morro núcleo parque trevo trecho condomínio jardim "
    "aeroporto vale lorong persiaran lebuh".split()
)

# Street types written in lower case before the name ("709, rue Lambert", "ulica Słowicza 60"),
# without the ones that are also English words ("via", "place", "route", "square" ...).
LOWER_PREFIX_TYPES = frozenset(
    "rue avenue boulevard bd chemin allée impasse quai viale piazza corso vicolo strada calle avenida "
    "plaza paseo carrera camino rua travessa praça alameda estrada ulica ul. aleja al. plac pl. "
    "osiedle os. bulevardul calea soseaua șoseaua intrarea aleea jalan jl. gang gg. cesta utca".split()
)

# Capitalised words that start no town: labels, greetings and pronouns after an address.
NOT_TOWN = frozenset(
    "Phone Tel Mobile Email Fax Thanks Thank Please Call Contact Agent Hi Hello Dear Regards Best "
    "Cheers Sent Order Invoice Note The I We You My Our".split()
)

# Abbreviations that keep their dot inside a name, not a sentence's end: Taiwan's "Zhongshan
# Dist.", "Sec. 2", "Ln. 120"; Hong Kong's "N.T." (New Territories).
ABBREVIATIONS = frozenset("dist. sec. ln. aly. rd. st. twp. vil. n.t. blvd.".split())
