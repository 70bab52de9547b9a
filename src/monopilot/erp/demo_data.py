"""Static data of the demo organisations: a Polish food manufacturer (fictional firms;
NIPs, GLNs and GTINs are made up but carry valid check digits, computed on use)."""

from __future__ import annotations

# GS1 company prefix of "Demo Foods" (GS1 Polska range 590).
DEMO_PREFIX = "5901234"

TAX_CODES = [  # code, name, rate, symbol, default
    ("VAT23", "VAT 23%", "23", "23", False),
    ("VAT8", "VAT 8%", "8", "8", False),
    ("VAT5", "VAT 5%", "5", "5", True),
    ("VAT0", "VAT 0% (kraj)", "0", "0", False),
    ("ZW", "Zwolniona", "0", "zw", False),
]

PRODUCT_TYPES = [
    ("RM", "Surowiec", "#8d6e63"),
    ("WIP", "Półprodukt", "#ffb300"),
    ("FG", "Wyrób gotowy", "#43a047"),
    ("PKG", "Opakowanie", "#1e88e5"),
]

# code, name, type, uom, VAT code, std price, allergens, shelf-life days, min stock
PRODUCTS = [
    ("RM-MLEKO", "Mleko surowe 3,2%", "RM", "l", "VAT5", "2.10", ["A07"], 3, "2000"),
    ("RM-MAKA-550", "Mąka pszenna typ 550", "RM", "kg", "VAT5", "2.40", ["A01"], 270, "500"),
    ("RM-MAKA-720", "Mąka żytnia typ 720", "RM", "kg", "VAT5", "2.60", ["A01"], 270, "300"),
    ("RM-ZIEMN", "Ziemniaki jadalne", "RM", "kg", "VAT5", "1.30", [], 60, "400"),
    ("RM-CEBULA", "Cebula żółta", "RM", "kg", "VAT5", "1.90", [], 90, None),
    ("RM-JAJA", "Jaja kurze L", "RM", "szt", "VAT5", "0.75", ["A03"], 28, "1000"),
    ("RM-SOL", "Sól warzona jodowana", "RM", "kg", "VAT5", "1.20", [], 1000, None),
    ("RM-PIEPRZ", "Pieprz czarny mielony", "RM", "kg", "VAT8", "48.00", [], 540, None),
    ("RM-MAJER", "Majeranek suszony", "RM", "kg", "VAT8", "62.00", [], 540, None),
    ("RM-CZOSNEK", "Czosnek granulowany", "RM", "kg", "VAT8", "38.00", [], 540, None),
    ("RM-WIEPR", "Mięso wieprzowe kl. II", "RM", "kg", "VAT5", "17.50", [], 6, "200"),
    ("RM-WOLOWE", "Mięso wołowe kl. II", "RM", "kg", "VAT5", "32.00", [], 6, None),
    ("RM-KAPUSTA", "Kapusta kiszona", "RM", "kg", "VAT5", "3.40", [], 60, None),
    ("RM-PIECZ", "Pieczarki świeże", "RM", "kg", "VAT5", "9.80", [], 7, None),
    ("RM-DROZDZE", "Drożdże piekarskie", "RM", "kg", "VAT5", "11.00", [], 30, None),
    (
        "RM-KULTURY",
        "Kultury starterowe jogurtowe",
        "RM",
        "kg",
        "VAT5",
        "480.00",
        ["A07"],
        365,
        None,
    ),
    ("RM-TRUSK", "Truskawki mrożone", "RM", "kg", "VAT5", "8.90", [], 540, None),
    ("RM-CUKIER", "Cukier biały", "RM", "kg", "VAT5", "3.10", [], 1000, None),
    ("RM-SMIET", "Śmietana 18%", "RM", "l", "VAT5", "9.20", ["A07"], 14, None),
    ("RM-OLEJ", "Olej rzepakowy rafinowany", "RM", "l", "VAT5", "7.40", [], 365, None),
    ("RM-MASLO", "Masło ekstra 82%", "RM", "kg", "VAT5", "29.00", ["A07"], 60, None),
    ("RM-OSLONKA", "Osłonka wieprzowa naturalna 32/34", "RM", "m", "VAT23", "1.10", [], 365, None),
    ("RM-ZAKWAS", "Zakwas żytni", "RM", "kg", "VAT5", "4.50", ["A01"], 10, None),
    ("RM-GORCZ", "Gorczyca biała", "RM", "kg", "VAT8", "14.00", ["A10"], 540, None),
    ("PKG-TACKA", "Tacka PP 400 g z folią", "PKG", "szt", "VAT23", "0.32", [], None, "5000"),
    ("PKG-KUBEK", "Kubek PS 150 g z wieczkiem", "PKG", "szt", "VAT23", "0.14", [], None, "10000"),
    ("PKG-FOLIA", "Folia termoformowalna", "PKG", "m", "VAT23", "0.85", [], None, None),
    ("PKG-KARTON", "Karton zbiorczy 600x400", "PKG", "szt", "VAT23", "1.90", [], None, None),
    ("PKG-ETYK", "Etykieta samoprzylepna 100x70", "PKG", "szt", "VAT23", "0.04", [], None, None),
    ("PKG-TOREBKA", "Torebka papierowa na pieczywo", "PKG", "szt", "VAT23", "0.18", [], None, None),
    ("PKG-PALETA", "Paleta EUR (kaucja)", "PKG", "szt", "VAT23", "65.00", [], None, None),
    ("WIP-CIASTO", "Ciasto pierogowe", "WIP", "kg", "VAT5", "3.20", ["A01", "A03"], 1, None),
    ("WIP-FARSZ-RUS", "Farsz ruski", "WIP", "kg", "VAT5", "6.10", ["A07"], 2, None),
    ("WIP-FARSZ-KAP", "Farsz z kapustą i grzybami", "WIP", "kg", "VAT5", "5.40", [], 2, None),
    ("WIP-FARSZ-MIE", "Farsz mięsny", "WIP", "kg", "VAT5", "16.80", [], 2, None),
    ("WIP-MASA-KIEL", "Masa mięsna do kiełbasy", "WIP", "kg", "VAT5", "18.90", ["A10"], 2, None),
    (
        "FG-PIER-RUS",
        "Pierogi ruskie 400 g",
        "FG",
        "szt",
        "VAT5",
        "7.20",
        ["A01", "A03", "A07"],
        21,
        "200",
    ),
    (
        "FG-PIER-KAP",
        "Pierogi z kapustą i grzybami 400 g",
        "FG",
        "szt",
        "VAT5",
        "7.60",
        ["A01", "A03"],
        21,
        "150",
    ),
    (
        "FG-PIER-MIE",
        "Pierogi z mięsem 400 g",
        "FG",
        "szt",
        "VAT5",
        "8.90",
        ["A01", "A03"],
        14,
        "150",
    ),
    ("FG-KIEL-SLA", "Kiełbasa śląska 1 kg", "FG", "szt", "VAT5", "24.90", ["A10"], 21, "100"),
    (
        "FG-KIEL-KRA",
        "Kiełbasa krakowska sucha 300 g",
        "FG",
        "szt",
        "VAT5",
        "16.40",
        ["A10"],
        45,
        None,
    ),
    ("FG-KIEL-BIA", "Kiełbasa biała surowa 500 g", "FG", "szt", "VAT5", "14.20", ["A10"], 10, None),
    ("FG-TWAR-PT", "Twaróg półtłusty 250 g", "FG", "szt", "VAT5", "4.30", ["A07"], 18, "300"),
    ("FG-TWAR-TL", "Twaróg tłusty 250 g", "FG", "szt", "VAT5", "4.70", ["A07"], 18, None),
    ("FG-JOG-NAT", "Jogurt naturalny 150 g", "FG", "szt", "VAT5", "1.60", ["A07"], 28, "500"),
    ("FG-JOG-TRU", "Jogurt truskawkowy 150 g", "FG", "szt", "VAT5", "1.90", ["A07"], 28, None),
    ("FG-KEFIR", "Kefir 400 g", "FG", "szt", "VAT5", "2.90", ["A07"], 21, None),
    (
        "FG-CHLEB-ZYT",
        "Chleb żytni na zakwasie 500 g",
        "FG",
        "szt",
        "VAT5",
        "6.90",
        ["A01"],
        5,
        None,
    ),
    ("FG-CHLEB-PSZ", "Chleb pszenny krojony 600 g", "FG", "szt", "VAT5", "5.40", ["A01"], 4, None),
    ("FG-KAJZER", "Bułka kajzerka 60 g", "FG", "szt", "VAT5", "0.59", ["A01", "A11"], 2, None),
]

# product: (output qty, [(component, quantity)])
BOMS = {
    "WIP-CIASTO": (
        "100",
        [("RM-MAKA-550", "62"), ("RM-JAJA", "120"), ("RM-OLEJ", "3"), ("RM-SOL", "0.8")],
    ),
    "WIP-FARSZ-RUS": (
        "100",
        [
            ("RM-ZIEMN", "60"),
            ("RM-SMIET", "5"),
            ("RM-CEBULA", "8"),
            ("RM-SOL", "1"),
            ("RM-PIEPRZ", "0.2"),
        ],
    ),
    "WIP-FARSZ-KAP": (
        "100",
        [("RM-KAPUSTA", "75"), ("RM-PIECZ", "18"), ("RM-CEBULA", "6"), ("RM-OLEJ", "2")],
    ),
    "WIP-FARSZ-MIE": (
        "100",
        [
            ("RM-WIEPR", "70"),
            ("RM-WOLOWE", "20"),
            ("RM-CEBULA", "8"),
            ("RM-SOL", "1.2"),
            ("RM-PIEPRZ", "0.3"),
        ],
    ),
    "WIP-MASA-KIEL": (
        "100",
        [
            ("RM-WIEPR", "85"),
            ("RM-SOL", "1.8"),
            ("RM-CZOSNEK", "0.4"),
            ("RM-MAJER", "0.2"),
            ("RM-GORCZ", "0.3"),
        ],
    ),
    "FG-PIER-RUS": (
        "1000",
        [
            ("WIP-CIASTO", "200"),
            ("WIP-FARSZ-RUS", "200"),
            ("PKG-TACKA", "1000"),
            ("PKG-ETYK", "1000"),
            ("PKG-KARTON", "84"),
        ],
    ),
    "FG-PIER-KAP": (
        "1000",
        [
            ("WIP-CIASTO", "200"),
            ("WIP-FARSZ-KAP", "200"),
            ("PKG-TACKA", "1000"),
            ("PKG-ETYK", "1000"),
            ("PKG-KARTON", "84"),
        ],
    ),
    "FG-PIER-MIE": (
        "1000",
        [
            ("WIP-CIASTO", "190"),
            ("WIP-FARSZ-MIE", "210"),
            ("PKG-TACKA", "1000"),
            ("PKG-ETYK", "1000"),
            ("PKG-KARTON", "84"),
        ],
    ),
    "FG-KIEL-SLA": ("100", [("WIP-MASA-KIEL", "112"), ("RM-OSLONKA", "420"), ("PKG-ETYK", "100")]),
    "FG-KIEL-KRA": (
        "300",
        [("WIP-MASA-KIEL", "140"), ("RM-OSLONKA", "180"), ("PKG-FOLIA", "60"), ("PKG-ETYK", "300")],
    ),
    "FG-KIEL-BIA": (
        "200",
        [("WIP-MASA-KIEL", "102"), ("RM-OSLONKA", "300"), ("PKG-FOLIA", "40"), ("PKG-ETYK", "200")],
    ),
    "FG-TWAR-PT": (
        "400",
        [("RM-MLEKO", "480"), ("RM-KULTURY", "0.05"), ("PKG-FOLIA", "40"), ("PKG-ETYK", "400")],
    ),
    "FG-TWAR-TL": (
        "400",
        [
            ("RM-MLEKO", "470"),
            ("RM-SMIET", "8"),
            ("RM-KULTURY", "0.05"),
            ("PKG-FOLIA", "40"),
            ("PKG-ETYK", "400"),
        ],
    ),
    "FG-JOG-NAT": ("1000", [("RM-MLEKO", "160"), ("RM-KULTURY", "0.03"), ("PKG-KUBEK", "1000")]),
    "FG-JOG-TRU": (
        "1000",
        [
            ("RM-MLEKO", "135"),
            ("RM-TRUSK", "18"),
            ("RM-CUKIER", "9"),
            ("RM-KULTURY", "0.03"),
            ("PKG-KUBEK", "1000"),
        ],
    ),
    "FG-KEFIR": ("500", [("RM-MLEKO", "205"), ("RM-KULTURY", "0.02"), ("PKG-KUBEK", "500")]),
    "FG-CHLEB-ZYT": (
        "200",
        [("RM-MAKA-720", "70"), ("RM-ZAKWAS", "22"), ("RM-SOL", "1.4"), ("PKG-TOREBKA", "200")],
    ),
    "FG-CHLEB-PSZ": (
        "200",
        [
            ("RM-MAKA-550", "78"),
            ("RM-DROZDZE", "1.6"),
            ("RM-SOL", "1.5"),
            ("RM-OLEJ", "1"),
            ("PKG-TOREBKA", "200"),
        ],
    ),
    "FG-KAJZER": (
        "1000",
        [("RM-MAKA-550", "38"), ("RM-DROZDZE", "0.9"), ("RM-SOL", "0.7"), ("RM-MASLO", "0.8")],
    ),
}

WAREHOUSES = [  # code, name, type, [(code, name, parent code or None)]
    (
        "WH-RM",
        "Magazyn surowców i opakowań",
        "RAW_MATERIALS",
        [
            ("PRZYJ", "Strefa przyjęć", None),
            ("CHL", "Chłodnia surowców 0-4°C", None),
            ("CHL-R01", "Chłodnia regał 01", "CHL"),
            ("CHL-R02", "Chłodnia regał 02", "CHL"),
            ("SUCH", "Magazyn suchy", None),
            ("SUCH-R01", "Magazyn suchy regał 01", "SUCH"),
            ("OPAK", "Magazyn opakowań", None),
        ],
    ),
    (
        "WH-FG",
        "Magazyn wyrobów gotowych",
        "FINISHED_GOODS",
        [
            ("CHL", "Chłodnia wyrobów 2-6°C", None),
            ("CHL-R01", "Chłodnia regał 01", "CHL"),
            ("CHL-R02", "Chłodnia regał 02", "CHL"),
            ("MROZ", "Mroźnia -18°C", None),
            ("WYD", "Strefa wydań (rampa 1-3)", None),
        ],
    ),
]

# code, name, city, NIP body (9 digits), GLN body (9 digits after 590) or "", products, terms
SUPPLIERS = [
    (
        "SUP-MLECZ",
        "Spółdzielnia Mleczarska Dolina Bugu",
        "Siedlce",
        "821100421",
        "310000007",
        "RM-MLEKO RM-SMIET RM-MASLO",
        "14 dni",
    ),
    (
        "SUP-MLYN",
        "Młyn Zbożowy Kujawy sp. z o.o.",
        "Inowrocław",
        "556204017",
        "311000004",
        "RM-MAKA-550 RM-MAKA-720 RM-ZAKWAS",
        "30 dni",
    ),
    (
        "SUP-MIESO",
        "Zakłady Mięsne Podlasie S.A.",
        "Białystok",
        "542101882",
        "312000001",
        "RM-WIEPR RM-WOLOWE RM-OSLONKA",
        "14 dni",
    ),
    (
        "SUP-WARZ",
        "Gospodarstwo Warzywne Nowak",
        "Sandomierz",
        "864110239",
        "",
        "RM-ZIEMN RM-CEBULA RM-KAPUSTA RM-PIECZ",
        "7 dni",
    ),
    (
        "SUP-PRZYP",
        "Przyprawy Polskie sp. z o.o.",
        "Łódź",
        "725180113",
        "313000008",
        "RM-SOL RM-PIEPRZ RM-MAJER RM-CZOSNEK RM-GORCZ",
        "30 dni",
    ),
    (
        "SUP-OPAK",
        "PakPol Opakowania sp. z o.o.",
        "Poznań",
        "778130256",
        "314000005",
        "PKG-TACKA PKG-KUBEK PKG-FOLIA PKG-KARTON PKG-ETYK PKG-TOREBKA",
        "45 dni",
    ),
    ("SUP-FERMA", "Ferma Drobiu Złote Pióro", "Kalisz", "618190344", "", "RM-JAJA", "14 dni"),
    (
        "SUP-CUKIER",
        "Cukrownia i Owoce Lubelskie sp. z o.o.",
        "Lublin",
        "712260019",
        "315000002",
        "RM-CUKIER RM-TRUSK RM-DROZDZE RM-KULTURY RM-OLEJ",
        "30 dni",
    ),
]

# code, name, category, NIP body, GLN body, terms days,
# [(store name, street, city, postal, GLN body)]
CUSTOMERS = [
    (
        "CUS-ORZEL",
        "Hipermarkety Orzeł S.A.",
        "retail",
        "525230117",
        "400000001",
        45,
        [
            (
                "Centrum Dystrybucyjne Stryków",
                "ul. Logistyczna 4",
                "Stryków",
                "95-010",
                "400000100",
            ),
            (
                "Centrum Dystrybucyjne Wrocław",
                "ul. Magazynowa 12",
                "Wrocław",
                "54-204",
                "400000101",
            ),
        ],
    ),
    (
        "CUS-LIPY",
        "Delikatesy Pod Lipami sp. z o.o.",
        "retail",
        "676110255",
        "401000008",
        30,
        [
            ("Magazyn centralny Kraków", "ul. Półłanki 30", "Kraków", "30-740", "401000100"),
        ],
    ),
    (
        "CUS-SWIT",
        "Sieć Sklepów Świt sp. z o.o.",
        "retail",
        "951200336",
        "402000005",
        30,
        [
            ("CD Błonie", "ul. Spedycyjna 1", "Błonie", "05-870", "402000100"),
            ("Sklep Warszawa Mokotów", "ul. Puławska 182", "Warszawa", "02-670", "402000101"),
            ("Sklep Warszawa Wola", "ul. Wolska 46", "Warszawa", "01-187", "402000102"),
        ],
    ),
    (
        "CUS-KOSZYK",
        "Koszyk Market S.A.",
        "retail",
        "779230418",
        "403000002",
        60,
        [
            ("CD Komorniki", "ul. Poznańska 2", "Komorniki", "62-052", "403000100"),
        ],
    ),
    (
        "CUS-MAZUR",
        "Hurtownia Spożywcza Mazur sp.j.",
        "wholesale",
        "739180027",
        "404000009",
        21,
        [
            ("Hurtownia Olsztyn", "ul. Lubelska 33", "Olsztyn", "10-409", "404000100"),
        ],
    ),
    (
        "CUS-EUROHURT",
        "EuroHurt Dystrybucja sp. z o.o.",
        "distributor",
        "584210145",
        "405000006",
        30,
        [
            ("Magazyn Gdańsk", "ul. Przemysłowa 8", "Gdańsk", "80-298", "405000100"),
            ("Magazyn Bydgoszcz", "ul. Fordońska 120", "Bydgoszcz", "85-739", "405000101"),
        ],
    ),
    (
        "CUS-SMAK",
        "Smak Catering sp. z o.o.",
        "wholesale",
        "677220463",
        "406000003",
        14,
        [
            ("Kuchnia centralna", "ul. Zakopiańska 62", "Kraków", "30-418", "406000100"),
        ],
    ),
    (
        "CUS-ZIELNIK",
        "Zielnik Sklepy Ekologiczne sp. z o.o.",
        "retail",
        "894270581",
        "407000000",
        30,
        [
            ("Magazyn Wrocław", "ul. Krakowska 180", "Wrocław", "52-015", "407000100"),
        ],
    ),
    (
        "CUS-SOLO",
        "Solo Market Paweł Kowalski",
        "retail",
        "813200679",
        "",
        14,
        [
            ("Sklep Rzeszów", "ul. Rejtana 21", "Rzeszów", "35-310", ""),
        ],
    ),
    (
        "CUS-BALTYK",
        "Bałtyk Foods Export sp. z o.o.",
        "distributor",
        "586230713",
        "408000007",
        30,
        [
            ("Terminal Gdynia", "ul. Kwiatkowskiego 60", "Gdynia", "81-157", "408000100"),
        ],
    ),
]

OTHER_PRODUCTS = [
    ("OT-SER-GOU", "Ser gouda plastry 150 g", "5", "9.90"),
    ("OT-MASLO", "Masło osełkowe 200 g", "5", "8.40"),
    ("OT-KAKAO", "Napój kakaowy 1 l", "5", "5.60"),
]
OTHER_CUSTOMERS = [
    ("OT-CUS-1", "Sklep Wiejski Jan Wiśniewski", "118190210", "409000004"),
    ("OT-CUS-2", "Hurtownia Nabiał-Pol sp. z o.o.", "634250113", "409000101"),
]
