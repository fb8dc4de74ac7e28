/**
 * The attribution evaluation corpus: sealed answers clustered by topic and template, and labelled
 * suspects built from them by the transformations real leaks go through, plus hard negatives (texts
 * written from the same templates that were never sealed) and unrelated texts.
 *
 * Everything comes from one seed, so a run is reproducible and a change in the scorer shows up as a
 * change in the table, not as noise. The templates are deliberately repetitive: answers of one
 * template share most of their phrasing and differ in their facts, as answers to similar prompts do.
 */

/** A deterministic pseudo-random generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const picks = <T>(r: Rand, xs: readonly T[], n: number): T[] => shuffle(r, [...xs]).slice(0, n);

export function shuffle<T>(r: Rand, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

const list = (s: string): string[] => s.trim().split(/\s+/);

const ELEMENTS = list(
  'titanium silver copper iron zinc nickel cobalt tungsten platinum gold lead tin aluminium magnesium chromium manganese ' +
    'vanadium lithium sodium potassium calcium barium mercury bismuth gallium indium iridium osmium palladium rhodium',
);
const CITIES = list(
  'Lisbon Barcelona Porto Madrid Seville Valencia Rome Florence Naples Venice Milan Paris Lyon Nice Vienna Prague ' +
    'Budapest Krakow Berlin Munich Hamburg Amsterdam Brussels Copenhagen Stockholm Oslo Helsinki Dublin Edinburgh Athens',
);
const SIGHTS = list(
  'cathedral castle harbour market museum gallery palace garden tower bridge quarter monastery viewpoint beach park ' +
    'fortress library theatre aquarium basilica',
);
const FOODS = list(
  'seafood pastries tapas pasta pizza stew dumplings noodles grilled-fish cheese chocolate sausages oysters risotto ' +
    'soup bread wine coffee gelato waffles',
);
const TOPICS = list(
  'photosynthesis inflation vaccination erosion compilers encryption volcanoes tides migration fermentation ' +
    'democracy glaciers batteries antibiotics recursion sleep metabolism earthquakes satellites pollination',
);
const NOUNS = list(
  'energy process system pressure cells signal cost network balance layer surface rate structure pattern source ' +
    'response supply demand model factor stage cycle effect method result range level sample field',
);
const ADJS = list(
  'important complex gradual rapid stable variable efficient natural common rare direct indirect local global ' +
    'measurable seasonal chemical physical economic biological',
);
const VERBS = list(
  'controls increases reduces shapes drives limits affects supports transforms releases stores regulates balances ' +
    'triggers slows accelerates protects exposes converts measures',
);
const GOALS = (
  'better sleep,saving money,learning a language,running a marathon,writing clearly,public speaking,remote work,' +
  'healthy eating,home gardening,studying for exams'
).split(',');
const ACTIONS = list('schedule track limit plan review practise prepare measure reduce avoid choose write record set keep start');
const OBJECTS = (
  'a weekly budget,short sessions,your progress,a fixed routine,daily notes,small goals,the hardest task,' +
  'a clear outline,regular breaks,a realistic target'
).split(',');
const IDENTS = list(
  'total count items values result index buffer record entry score limit offset window cache queue node parent ' +
    'child weight price amount rate delta accum keys table',
);
const COUNTRIES = list('Portugal Spain Italy France Austria Czechia Hungary Poland Germany Netherlands Belgium Denmark Sweden');
/** Words that never appear in a sealed answer: the vocabulary of the unrelated texts and of edits. */
export const FOREIGN = list(
  'goalkeeper referee midfield penalty striker halftime stadium league transfer corner offside tactics kickoff ' +
    'violin orchestra sonata tempo chorus melody rehearsal conductor soprano overture quilt knitting yarn ' +
    'needle pattern-free embroidery loom thimble spindle',
);

/** The families of templates, each a topic cluster with its own shape. */
export const FAMILIES = ['fact', 'prose', 'list', 'table', 'code', 'itinerary'] as const;
export type Family = (typeof FAMILIES)[number];

/** An answer as units (sentences or lines) and how they join, so transformations can work on units. */
export interface Answer {
  readonly family: Family;
  readonly units: string[];
  readonly joiner: string;
  /** Identifiers a code answer defines (renamed by the code transformation). */
  readonly idents: string[];
}

export const textOf = (a: { units: readonly string[]; joiner: string }): string => a.units.join(a.joiner);

function fact(r: Rand): Answer {
  const e = pick(r, ELEMENTS);
  const forms = [
    () => `${cap(e)} has a melting point of ${int(r, 200, 3400)} °C and a density of ${int(r, 1, 22)}.${int(r, 0, 9)} g/cm³.`,
    () => `The atomic number of ${e} is ${int(r, 3, 92)}, and it was first isolated in ${int(r, 1700, 1950)}.`,
    () =>
      `${cap(e)} is mostly used in ${pick(r, ['alloys', 'batteries', 'electronics', 'coins', 'catalysts', 'pigments'])} because it is ${pick(r, ADJS)} and ${pick(r, ADJS)}.`,
    () =>
      `The largest producer of ${e} is ${pick(r, COUNTRIES)}, with about ${int(r, 2, 70)} percent of world output in ${int(r, 2000, 2024)}.`,
  ];
  const n = int(r, 1, 2);
  return { family: 'fact', units: picks(r, forms, n).map((f) => f()), joiner: ' ', idents: [] };
}

function prose(r: Rand): Answer {
  const t = pick(r, TOPICS);
  const forms = [
    () => `${cap(t)} is a ${pick(r, ADJS)} ${pick(r, NOUNS)} that ${pick(r, VERBS)} the ${pick(r, NOUNS)} of the ${pick(r, NOUNS)}.`,
    () => `In simple terms, the ${pick(r, NOUNS)} ${pick(r, VERBS)} how much ${pick(r, NOUNS)} is available at each ${pick(r, NOUNS)}.`,
    () =>
      `A key point is that ${t} ${pick(r, VERBS)} the ${pick(r, ADJS)} ${pick(r, NOUNS)}, which in turn ${pick(r, VERBS)} the ${pick(r, NOUNS)}.`,
    () =>
      `Researchers usually study it by looking at the ${pick(r, NOUNS)} and the ${pick(r, NOUNS)} over ${int(r, 2, 40)} ${pick(r, ['days', 'years', 'cycles', 'samples'])}.`,
    () =>
      `One common misconception is that the ${pick(r, NOUNS)} is ${pick(r, ADJS)}; in fact it is ${pick(r, ADJS)} and ${pick(r, ADJS)}.`,
    () =>
      `The ${pick(r, ADJS)} ${pick(r, NOUNS)} matters because it ${pick(r, VERBS)} the ${pick(r, NOUNS)} and ${pick(r, VERBS)} the ${pick(r, NOUNS)}.`,
    () => `Overall, ${t} shows how a ${pick(r, ADJS)} ${pick(r, NOUNS)} can change the ${pick(r, NOUNS)} of a whole ${pick(r, NOUNS)}.`,
    () =>
      `For example, a ${int(r, 5, 90)} percent change in the ${pick(r, NOUNS)} ${pick(r, VERBS)} the ${pick(r, NOUNS)} within ${int(r, 2, 30)} ${pick(r, ['hours', 'weeks', 'months'])}.`,
  ];
  const n = int(r, 12, 20);
  const units = [forms[0]!(), ...Array.from({ length: n - 1 }, () => pick(r, forms.slice(1))())];
  return { family: 'prose', units, joiner: ' ', idents: [] };
}

function bulletList(r: Rand): Answer {
  const g = pick(r, GOALS);
  const n = int(r, 7, 12);
  const units = [
    `Getting better at ${g} is mostly about ${pick(r, ['habits', 'planning', 'consistency', 'feedback'])}, and small changes add up over ${int(r, 2, 12)} weeks.`,
    `Here are ${n} tips for ${g}:`,
  ];
  for (let i = 1; i <= n; i++)
    units.push(
      `${i}. **${cap(pick(r, ACTIONS))} ${pick(r, OBJECTS)}**: it ${pick(r, VERBS)} the ${pick(r, NOUNS)} and keeps the ${pick(r, NOUNS)} ${pick(r, ADJS)}.`,
    );
  units.push(`Start with ${pick(r, ['one', 'two', 'three'])} of these and add more after ${int(r, 1, 6)} weeks.`);
  return { family: 'list', units, joiner: '\n', idents: [] };
}

function table(r: Rand): Answer {
  const cities = picks(r, CITIES, int(r, 7, 12));
  const units = [
    `Here is a comparison of ${cities.length} cities:`,
    '',
    '| City | Population | Country | Best month |',
    '| --- | --- | --- | --- |',
    ...cities.map(
      (c) =>
        `| ${c} | ${int(r, 100, 3500)},${String(int(r, 0, 999)).padStart(3, '0')} | ${pick(r, COUNTRIES)} | ${pick(r, ['April', 'May', 'June', 'September', 'October'])} |`,
    ),
    '',
    `${cities[0]} is the ${pick(r, ['largest', 'oldest', 'cheapest', 'busiest'])} of these, and ${cities[1]} is known for its ${pick(r, SIGHTS)}.`,
    `If you travel in ${pick(r, ['spring', 'summer', 'autumn', 'winter'])}, ${cities[2]} and ${cities[3]} are ${pick(r, ADJS)} choices, while ${cities[4]} gets ${pick(r, ['crowded', 'expensive', 'rainy', 'hot'])} around ${pick(r, ['Easter', 'August', 'Christmas', 'the holidays'])}.`,
  ];
  return { family: 'table', units, joiner: '\n', idents: [] };
}

function code(r: Rand): Answer {
  const [fn, a, b, acc, item] = picks(r, IDENTS, 5) as [string, string, string, string, string];
  const name = `${pick(r, ['compute', 'update', 'merge', 'filter', 'sum', 'find'])}${cap(fn)}`;
  const op = pick(r, ['+', '*', '-']);
  const k = int(r, 2, 99);
  const units = [
    `Here is a function that ${pick(r, ['adds up', 'combines', 'filters', 'scales'])} the ${a}:`,
    '',
    '```js',
    `function ${name}(${a}, ${b}) {`,
    `  let ${acc} = ${int(r, 0, 9)};`,
    `  for (const ${item} of ${a}) {`,
    `    if (${item} > ${b}) ${acc} = ${acc} ${op} ${item};`,
    `    else ${acc} = ${acc} ${op} ${k};`,
    '  }',
    `  return ${acc} ${pick(r, ['%', '/', '+'])} ${int(r, 2, 1000)};`,
    '}',
    '',
    `function ${pick(r, ['check', 'clamp', 'format', 'scale'])}${cap(b)}(${b}) {`,
    `  return ${b} < ${int(r, 0, 9)} ? ${int(r, 0, 9)} : Math.${pick(r, ['min', 'max', 'round'])}(${b}, ${int(r, 10, 999)});`,
    '}',
    '```',
    '',
    `Call it as \`${name}(${a}, ${int(r, 1, 50)})\`; it runs in linear time over the ${a}.`,
  ];
  return { family: 'code', units, joiner: '\n', idents: [name, a, b, acc, item] };
}

function itinerary(r: Rand): Answer {
  const c = pick(r, CITIES);
  const days = int(r, 4, 7);
  const units = [`## ${days} days in ${c}`];
  for (let d = 1; d <= days; d++) {
    const [s1, s2] = picks(r, SIGHTS, 2) as [string, string];
    units.push(
      `- **Day ${d}:** Morning at the ${s1}, lunch with ${pick(r, FOODS)} near the ${s2}, and an evening walk through the old town. ` +
        `Take the ${pick(r, ['tram', 'metro', 'bus', 'ferry'])} to the ${pick(r, SIGHTS)} if it rains, and try the ${pick(r, FOODS)} at a ${pick(r, ['small', 'family', 'busy', 'quiet'])} place by the ${pick(r, SIGHTS)}.`,
    );
  }
  units.push(`Budget about ${int(r, 60, 250)} euros a day and book the ${pick(r, SIGHTS)} ${int(r, 1, 14)} days ahead.`);
  return { family: 'itinerary', units, joiner: '\n', idents: [] };
}

const MAKERS: Record<Family, (r: Rand) => Answer> = { fact, prose, list: bulletList, table, code, itinerary };

/** One answer of a family. */
export function makeAnswer(r: Rand, family: Family): Answer {
  return MAKERS[family](r);
}

/** An unrelated text: another vocabulary and other phrasing. */
export function unrelated(r: Rand, sentences = int(r, 2, 6)): string {
  return Array.from({ length: sentences }, () => {
    const ws = Array.from({ length: int(r, 7, 14) }, () => pick(r, FOREIGN));
    return `${cap(ws.join(' '))}.`;
  }).join(' ');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
