// Recent sales per product, read from the CSV this browser uploaded: the forecasts endpoint
// returns forecasts only, so the chart's history line comes from here (bounded per product).

const MAX_PRODUCTS = 5000;

/** Splits one CSV line, honouring double quotes ("a, b" and "" inside quotes). */
export function splitCsvLine(line) {
  const out = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      out.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  out.push(field);
  return out.map((f) => f.trim());
}

export class SalesHistory {
  constructor(maxDays = 120) {
    this.maxDays = maxDays;
    this.byTenant = new Map(); // tenant -> Map(product -> Map(dateMs -> quantity))
  }

  /** Merges a CSV's rows (later rows win, as the server's upsert does). Bad rows are skipped. */
  ingest(tenant, text) {
    const lines = text.split(/\r?\n/);
    const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
    const [di, pi, qi] = ['date', 'product', 'quantity'].map((h) => header.indexOf(h));
    if (di < 0 || pi < 0 || qi < 0) return 0;
    const products = this.byTenant.get(tenant) ?? new Map();
    this.byTenant.set(tenant, products);
    let kept = 0;
    for (let n = 1; n < lines.length; n += 1) {
      if (!lines[n]) continue;
      const f = splitCsvLine(lines[n]);
      const t = /^\d{4}-\d{2}-\d{2}$/.test(f[di] ?? '') ? Date.parse(`${f[di]}T00:00:00Z`) : NaN;
      const q = Number(f[qi]);
      if (!Number.isFinite(t) || !Number.isFinite(q) || !f[pi]) continue;
      let series = products.get(f[pi]);
      if (!series) {
        if (products.size >= MAX_PRODUCTS) continue;
        series = new Map();
        products.set(f[pi], series);
      }
      series.set(t, q);
      kept += 1;
    }
    for (const series of products.values()) this.#trim(series);
    return kept;
  }

  /** [[unixSeconds, quantity], …] ascending, the last `maxDays` days known for the product. */
  series(tenant, product) {
    const s = this.byTenant.get(tenant)?.get(product);
    if (!s) return [];
    return [...s.entries()].sort((a, b) => a[0] - b[0]).map(([t, q]) => [t / 1000, q]);
  }

  #trim(series) {
    if (series.size <= this.maxDays) return;
    const keys = [...series.keys()].sort((a, b) => a - b);
    for (const k of keys.slice(0, keys.length - this.maxDays)) series.delete(k);
  }
}
