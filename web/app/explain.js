// A forecast day explained in one sentence a baker can check by hand, from the parts the server
// sends with explain=1: "Sat 12 Apr: 31 + Saturday 12 + Easter 18 = 61". The trend comes first,
// then every part that is not zero once rounded, named as a person says it. No DOM here.

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// The parts the model has, in the order they are said; any other the server sends follows them.
const NAMED = { weekday: null, yearly: 'season', weekend_season: 'weekend season', last_week: 'last week' };

const utcDay = (iso) => new Date(`${iso}T00:00:00Z`);

/** "Sat 12 Apr" for "2026-04-12"; the ISO text itself when it is not a day. */
export function shortDay(iso) {
  const d = utcDay(iso);
  if (!Number.isFinite(d.getTime())) return String(iso);
  return `${WEEKDAYS[d.getUTCDay()].slice(0, 3)} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/**
 * The parts of one point as [{name, value}], trend first, unrounded; [] when the point has no
 * `components` (a server older than the explanation) or none is a number.
 */
export function namedParts(point) {
  const c = point?.components;
  if (!c || typeof c !== 'object') return [];
  const weekday = WEEKDAYS[utcDay(point.date).getUTCDay()] ?? 'weekday';
  const out = [];
  const add = (name, value) => {
    if (Number.isFinite(value)) out.push({ name, value });
  };
  add('', c.trend);
  for (const [key, label] of Object.entries(NAMED)) add(key === 'weekday' ? weekday : label, c[key]);
  for (const [name, v] of Object.entries(c.holidays ?? {})) add(name, v);
  for (const [name, v] of Object.entries(c.regressors ?? {})) add(name, v);
  for (const [key, v] of Object.entries(c)) {
    if (key === 'trend' || key === 'holidays' || key === 'regressors' || key === 'clamp' || key in NAMED) continue;
    add(key.replace(/_/g, ' '), v);
  }
  add('limit', c.clamp); // what holding the forecast within its bounds took: said last
  return out;
}

/**
 * Whole units that add up: each part rounded so that their sum is the rounded total (the largest
 * remainders get the spare units), so "31 + 12 + 18 = 61" holds even where plain rounding of
 * each part would be one off.
 */
export function roundParts(values) {
  const total = Math.round(values.reduce((a, b) => a + b, 0));
  const floors = values.map(Math.floor);
  let spare = total - floors.reduce((a, b) => a + b, 0);
  const order = values.map((v, i) => [v - floors[i], i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (spare <= 0) break;
    floors[i] += 1;
    spare -= 1;
  }
  return floors;
}

/**
 * "Sat 12 Apr: 31 + Saturday 12 + Easter 18 = 61" for one forecast point, or null when the point
 * carries no explanation. A part below zero is said with a minus: "… − Monday 8 …".
 */
export function explainSentence(point) {
  const parts = namedParts(point);
  if (parts.length === 0) return null;
  const rounded = roundParts(parts.map((p) => p.value));
  const terms = [];
  parts.forEach((p, i) => {
    const n = rounded[i];
    if (n === 0 && !(p.name === '' && i === 0)) return; // the trend is said even at 0
    const words = p.name ? `${p.name} ${Math.abs(n)}` : String(Math.abs(n));
    if (terms.length === 0) terms.push(n < 0 ? `−${words}` : words);
    else terms.push(`${n < 0 ? '−' : '+'} ${words}`);
  });
  const total = rounded.reduce((a, b) => a + b, 0);
  return `${shortDay(point.date)}: ${terms.length ? terms.join(' ') : '0'} = ${total}`;
}
