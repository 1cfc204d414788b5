"""Source passages of the golden files (one per language). Regenerate the
.in.jsonl inputs with `python tests/golden/split/passages.py`; the expected
outputs (.out.jsonl) are reviewed by hand: see test_split_golden.py."""
import json
from pathlib import Path

P = {
"en": ("Chapter XII", [
 "On Tuesday, March 3rd, 1998, at 10:30, Mr. Holmes paid $1,250.75 for a first edition; Dr. Watson thought 12% too much. The 2nd volume, printed in 1887, cost £45. Louis XIV and Henry VIII never met, but World War II changed everything.",
 "They walked 5 km in 2.5 hours, i.e. at about 2 km/h, and the thermometer read -3 °C at 00:00. Write to holmes@example.org or visit https://www.example.com/baker-street for details, etc.",
 "The night was long and the road was longer still, for the travellers, who had left the inn at dawn with little more than bread, cheese and a flask of cider between them, had taken the wrong turning at the old mill, where the river bends towards the hills, and had walked for hours through fields of barley and rye, past silent farms and empty barns, under a sky that grew darker with every mile; and when at last they saw the lights of the village, flickering through the rain like the lanterns of some distant ship, they did not cheer, they did not run, they simply stood there for a long moment, too tired to speak, too wet to care, and then, one by one, they went on down the muddy lane towards the warmth of the fire that they knew was waiting for them.",
]),
"fr": ("Chapitre XII", [
 "Le mardi 3 mars 1998, à 10 h 30, M. Dupont a payé 1 250,75 € pour une première édition ; Mme Durand trouvait que 12 % de plus, c'était drôle. Le 1er volume date du XIXe siècle, sous Louis XIV, dit-on.",
 "Ils ont marché 5 km en 2,5 heures, et il faisait -3 °C à 00:00. Écrivez à dupont@exemple.fr ou voyez le chapitre IV, p. ex. la page 42, etc.",
 "La nuit était longue et la route plus longue encore, car les voyageurs, qui avaient quitté l'auberge à l'aube avec à peine un peu de pain, de fromage et une gourde de cidre, s'étaient trompés de chemin au vieux moulin, là où la rivière tourne vers les collines, et avaient marché pendant des heures à travers les champs d'orge et de seigle, devant des fermes silencieuses et des granges vides, sous un ciel qui s'assombrissait à chaque lieue ; et quand enfin ils aperçurent les lumières du village, qui tremblaient sous la pluie comme les fanaux d'un navire lointain, ils ne crièrent pas, ils ne coururent pas, ils restèrent simplement là un long moment, trop las pour parler, trop mouillés pour s'en soucier, puis, un à un, ils descendirent le chemin boueux vers la chaleur du feu qui les attendait.",
]),
"de": ("Kapitel XII", [
 "Am Dienstag, dem 3. März 1998, um 10:30 Uhr zahlte Hr. Müller 1.250,75 € für eine Erstausgabe; Dr. Schmidt fand 12 % zu viel. Im 19. Jahrhundert, z. B. unter Ludwig XIV., war das anders.",
 "Sie gingen 5 km in 2,5 Stunden, und um 00:00 Uhr waren es -3 °C. Schreiben Sie an mueller@beispiel.de oder lesen Sie Kapitel IV auf S. 42, usw.",
 "Die Nacht war lang und der Weg noch länger, denn die Reisenden, die das Gasthaus im Morgengrauen mit kaum mehr als Brot, Käse und einer Flasche Most verlassen hatten, waren an der alten Mühle, wo der Fluss sich zu den Hügeln hin biegt, falsch abgebogen und stundenlang durch Gersten- und Roggenfelder gewandert, vorbei an stillen Höfen und leeren Scheunen, unter einem Himmel, der mit jeder Meile dunkler wurde; und als sie endlich die Lichter des Dorfes sahen, die im Regen flackerten wie die Laternen eines fernen Schiffes, jubelten sie nicht, sie liefen nicht, sie standen einfach einen langen Augenblick da, zu müde zum Sprechen, zu nass, um sich darum zu kümmern, und dann gingen sie, einer nach dem anderen, den schlammigen Weg hinunter zur Wärme des Feuers, das auf sie wartete.",
]),
"es": ("Capítulo XII", [
 "El martes 3 de marzo de 1998, a las 10:30, el Sr. García pagó 1.250,75 € por una primera edición; la Dra. López pensó que un 12 % era demasiado. Felipe II y Luis XIV vivieron en siglos distintos, y el 2º tomo es de 1887.",
 "Caminaron 5 km en 2,5 horas, y a las 00:00 hacía -3 °C. Escriba a garcia@ejemplo.es o lea el capítulo IV, pág. 42, etc.",
 "La noche era larga y el camino más largo todavía, porque los viajeros, que habían salido de la posada al amanecer con poco más que pan, queso y una bota de sidra, se habían equivocado de camino en el viejo molino, allí donde el río se curva hacia las colinas, y habían andado durante horas entre campos de cebada y de centeno, junto a granjas silenciosas y pajares vacíos, bajo un cielo que se oscurecía con cada legua; y cuando por fin vieron las luces del pueblo, que temblaban bajo la lluvia como los faroles de un barco lejano, no gritaron, no corrieron, se quedaron allí quietos un largo rato, demasiado cansados para hablar, demasiado mojados para que les importara, y luego, uno a uno, bajaron por el sendero embarrado hacia el calor del fuego que los esperaba.",
]),
"it": ("Capitolo XII", [
 "Martedì 3 marzo 1998, alle 10:30, il Sig. Rossi ha pagato 1.250,75 € per una prima edizione; il Dott. Bianchi pensava che il 12% fosse troppo. Luigi XIV regnava nel XVII secolo, e il 1º volume è del 1887.",
 "Hanno camminato per 5 km in 2,5 ore, e alle 00:00 c'erano -3 °C. Scrivete a rossi@esempio.it o leggete il capitolo IV, pag. 42, ecc.",
 "La notte era lunga e la strada ancora più lunga, perché i viaggiatori, che avevano lasciato la locanda all'alba con poco più di pane, formaggio e una borraccia di sidro, avevano sbagliato strada al vecchio mulino, là dove il fiume piega verso le colline, e avevano camminato per ore tra campi d'orzo e di segale, davanti a fattorie silenziose e fienili vuoti, sotto un cielo che si faceva più scuro a ogni miglio; e quando finalmente videro le luci del villaggio, che tremolavano sotto la pioggia come le lanterne di una nave lontana, non gridarono, non corsero, rimasero semplicemente lì per un lungo momento, troppo stanchi per parlare, troppo bagnati per curarsene, e poi, uno alla volta, scesero per il sentiero fangoso verso il calore del fuoco che li aspettava.",
]),
"pt": ("Capítulo XII", [
 "Na terça-feira, 3 de março de 1998, às 10h30, o Sr. Silva pagou 1.250,75 € por uma primeira edição; a Dra. Costa achou que 12% era demais. D. Pedro II nasceu no século XIX, e o 1º volume é de 1887.",
 "Andaram 5 km em 2,5 horas, e às 00:00 estavam -3 °C. Escreva para silva@exemplo.pt ou leia o capítulo IV, pág. 42, etc.",
 "A noite era longa e o caminho ainda mais longo, porque os viajantes, que tinham deixado a estalagem de madrugada com pouco mais do que pão, queijo e um cantil de sidra, tinham errado o caminho no velho moinho, onde o rio faz uma curva em direção às colinas, e tinham andado durante horas por campos de cevada e de centeio, diante de quintas silenciosas e celeiros vazios, sob um céu que escurecia a cada légua; e quando finalmente avistaram as luzes da aldeia, que tremeluziam à chuva como as lanternas de um navio distante, não gritaram, não correram, ficaram simplesmente ali parados durante um longo momento, cansados demais para falar, molhados demais para se importarem, e depois, um a um, desceram pelo caminho lamacento em direção ao calor do lume que os esperava.",
]),
"nl": ("Hoofdstuk XII", [
 "Op dinsdag 3 maart 1998 om 10:30 betaalde dhr. Jansen € 1.250,75 voor een eerste druk; dr. De Vries vond 12% te veel. Willem III regeerde in de 17e eeuw, en het 2e deel is van 1887.",
 "Ze liepen 5 km in 2,5 uur, en om 00:00 was het -3 °C. Schrijf naar jansen@voorbeeld.nl of lees hoofdstuk IV, blz. 42, enz.",
 "De nacht was lang en de weg nog langer, want de reizigers, die de herberg bij het ochtendgloren hadden verlaten met nauwelijks meer dan brood, kaas en een fles cider, waren bij de oude molen, waar de rivier naar de heuvels afbuigt, de verkeerde kant op gegaan en hadden urenlang gelopen door velden met gerst en rogge, langs stille boerderijen en lege schuren, onder een hemel die met elke mijl donkerder werd; en toen ze eindelijk de lichten van het dorp zagen, die in de regen flakkerden als de lantaarns van een ver schip, juichten ze niet, renden ze niet, bleven ze gewoon een lang ogenblik staan, te moe om te praten, te nat om zich er iets van aan te trekken, en toen gingen ze, een voor een, het modderige pad af naar de warmte van het vuur dat op hen wachtte.",
]),
"pl": ("Rozdział XII", [
 "We wtorek 3 marca 1998 r. o 10:30 dr Kowalski zapłacił 1 250,75 zł za pierwsze wydanie; prof. Nowak uważał, że 12% to za dużo. W XIX wieku, np. za Zygmunta III, było inaczej.",
 "Przeszli 5 km w 2,5 godziny, a o 00:00 było -3 °C. Napisz na adres kowalski@przyklad.pl albo przeczytaj rozdział IV, str. 42 itd.",
 "Noc była długa, a droga jeszcze dłuższa, bo podróżni, którzy opuścili gospodę o świcie, mając przy sobie niewiele więcej niż chleb, ser i manierkę cydru, pomylili drogę przy starym młynie, tam gdzie rzeka skręca ku wzgórzom, i szli godzinami przez pola jęczmienia i żyta, obok cichych gospodarstw i pustych stodół, pod niebem, które ciemniało z każdą milą; a kiedy wreszcie ujrzeli światła wioski, migoczące w deszczu jak latarnie dalekiego statku, nie krzyczeli z radości, nie biegli, po prostu stali tam przez długą chwilę, zbyt zmęczeni, by mówić, zbyt przemoczeni, by się tym przejmować, a potem, jeden po drugim, zeszli błotnistą ścieżką ku ciepłu ognia, który na nich czekał.",
]),
"ru": ("Глава XII", [
 "Во вторник, 3 марта 1998 года, в 10:30 г-н Иванов заплатил 1 250,75 ₽ за первое издание; проф. Петров считал, что 12% — это слишком много. В XIX веке, при Николае I, всё было иначе, а 2-й том вышел в 1887 году.",
 "Они прошли 5 км за 2,5 часа, а в 00:00 было -3 °C. Пишите на ivanov@primer.ru или читайте главу IV, стр. 42 и т. д.",
 "Ночь была длинной, а дорога ещё длиннее, потому что путники, покинувшие постоялый двор на рассвете, имея при себе лишь хлеб, сыр и флягу сидра, свернули не туда у старой мельницы, там, где река поворачивает к холмам, и часами шли через поля ячменя и ржи, мимо тихих хуторов и пустых амбаров, под небом, которое темнело с каждой верстой; и когда наконец они увидели огни деревни, мерцавшие сквозь дождь, как фонари далёкого корабля, они не закричали, не побежали, а просто долго стояли там, слишком усталые, чтобы говорить, слишком промокшие, чтобы обращать на это внимание, а потом, один за другим, спустились по грязной тропе к теплу огня, который их ждал.",
]),
"ar": ("الفصل الثاني عشر", [
 "في يوم الثلاثاء 2020-03-12، في الساعة 10:30، دفع د. أحمد 350 دولاراً ثمناً للطبعة الأولى؛ ورأى أخوه أن 12% كثير. وكان عدد سكان المدينة ١٬٢٥٠٬٠٠٠ نسمة.",
 "مشوا 5 km في ساعتين، وكانت الحرارة 25 °C. اكتب إلى ahmad@example.com للمزيد.",
 "كان الليل طويلاً والطريق أطول منه، لأن المسافرين الذين غادروا النزل عند الفجر ولا يحملون سوى الخبز والجبن وقربة من الماء، ضلوا الطريق عند الطاحونة القديمة، حيث ينعطف النهر نحو التلال، وساروا ساعات طويلة بين حقول الشعير والقمح، مروراً بمزارع صامتة وحظائر خالية، تحت سماء كانت تزداد ظلمة مع كل ميل؛ وعندما رأوا أخيراً أضواء القرية وهي ترتعش تحت المطر مثل فوانيس سفينة بعيدة، لم يهتفوا ولم يركضوا، بل وقفوا هناك لحظة طويلة، متعبين إلى حد لا يقدرون معه على الكلام، مبللين إلى حد لا يبالون معه بشيء، ثم نزلوا واحداً بعد الآخر عبر الدرب الموحل نحو دفء النار التي كانت تنتظرهم هناك منذ زمن بعيد جداً في تلك الليلة.",
]),
"zh": ("第十二章", [
 "1998年3月3日星期二10:30，王先生花了$1,250.75买了一本初版书；李博士觉得贵了12%。路易十四生活在17世纪。",
 "他们在2.5小时内走了5km，午夜00:00时气温是-3°C。请写信到wang@example.cn。",
 "夜很长，路更长，因为那些天刚亮就离开客栈、身上只带着一点面包、奶酪和一壶苹果酒的旅人，在老磨坊那里走错了路，就是河流转向山丘的地方，然后他们在大麦田和黑麦田之间走了好几个小时，经过寂静的农舍和空荡荡的谷仓，头顶的天空一里比一里更暗；当他们终于看见村子的灯光在雨中闪烁，像远方一艘船上的灯笼时，他们没有欢呼，也没有奔跑，只是在那里站了很久，累得说不出话，湿得什么都不在乎了，然后一个接一个地沿着泥泞的小路走下去，走向那堆一直在等着他们的温暖的炉火，而那时村里的钟声刚刚敲过了午夜，远处的狗叫声也渐渐地安静了下来，只剩下雨水落在屋檐上的声音，一滴又一滴，仿佛在数着他们走过的每一步路程和每一个不眠的夜晚，他们心里明白这一夜终于要过去了，明天的太阳会照常升起，而他们也终将回到各自的家中，把这段漫长的旅程讲给孩子们听，讲很多年，讲到孩子们都长大了，讲到他们自己都老了，讲到那个雨夜里的灯光早已熄灭，只留在记忆里，像一首没有唱完的歌，在风中轻轻地回响，又像一封写了一半就被收起来的信，静静地躺在抽屉的最深处，等着某一天被人重新打开，重新读起，那时候也许窗外正下着同样的雨，屋里正点着同样的灯，而读信的人会忽然想起很久以前的那个夜晚，想起那条泥泞的小路和那堆温暖的炉火，想起那些和他一起走过漫长旅程的朋友们，想起他们疲惫的脸和湿透的衣服，想起他们在村口站着一句话也说不出来的样子，于是他会轻轻地笑一下，把信折好，放回原处，然后走到窗前，看着外面的雨，一直看到天亮。",
]),
"ja": ("第十二章", [
 "1998年3月3日火曜日の10:30に、田中さんは初版本に3,500円を払った。佐藤博士は12%高いと思った。ルイ14世は17世紀の人だ。",
 "彼らは2.5時間で5km歩き、00:00には気温が-3°Cだった。tanaka@example.jpまでご連絡ください。",
 "夜は長く、道はさらに長かった、というのも夜明けに宿屋を出た旅人たちは、パンとチーズとリンゴ酒の水筒くらいしか持っておらず、川が丘のほうへ曲がる古い水車小屋のところで道を間違え、大麦畑とライ麦畑のあいだを何時間も歩き、静まり返った農家や空っぽの納屋の前を通り過ぎ、一里ごとに暗くなっていく空の下を進んだからだ、そしてようやく村の明かりが雨の中で遠い船のランタンのように揺れているのを見たとき、彼らは歓声もあげず、走りもせず、ただ長いあいだそこに立ち尽くし、話すには疲れすぎ、気にするには濡れすぎていて、それから一人また一人と、ずっと彼らを待っていた暖かい炉の火のほうへ、ぬかるんだ小道を下っていった、そのころ村の鐘はちょうど真夜中を告げたところで、遠くの犬の鳴き声もしだいに静かになり、軒先に落ちる雨の音だけが残って、一滴また一滴と、まるで彼らが歩いてきた一歩一歩と眠れなかった夜の一つ一つを数えているかのようであり、彼らはこの夜がようやく終わろうとしていること、明日もいつものように日が昇ること、そして自分たちもやがてそれぞれの家に帰り、この長い旅のことを子どもたちに何年も話して聞かせることになるのだということを、心の中でよくわかっていたのであり、そしてその話を聞いた子どもたちもまた、いつか自分の子どもたちに同じ話をして聞かせるのだろうということも、なんとなく、しかし確かに、静かに感じていたのである。",
]),
}


def main():
    here = Path(__file__).parent
    langs = {"ar": "ar", "zh": "zh-CN", "ja": "ja", "pt": "pt-PT", "fr": "fr-FR"}
    for lang, (heading, paras) in P.items():
        recs = [{"kind": "book", "title": f"Golden {lang}", "authors": ["e2a"],
                 "language": langs.get(lang, lang), "book_hash": "0" * 16},
                {"kind": "chapter", "index": 0, "title": heading, "role": "body"},
                {"kind": "block", "chapter": 0, "index": 0, "type": "heading", "text": heading}]
        recs += [{"kind": "block", "chapter": 0, "index": i + 1, "type": "paragraph", "text": t}
                 for i, t in enumerate(paras)]
        with open(here / f"{lang}.in.jsonl", "w", encoding="utf-8") as fh:
            for r in recs:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        long = paras[-1]
        assert len(long) >= 600, (lang, len(long))


if __name__ == "__main__":
    main()
