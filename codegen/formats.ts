/**
 * Format checks bundled into generated validators, so consumers need no ajv at run time. They follow
 * the "full" formats of ajv-formats (the ones Canon validates with): calendar-valid dates, RFC 3339
 * times with a zone, and so on. A contract using a format not listed here cannot be generated.
 */
export const FORMAT_SOURCE: Record<string, string> = {
  date: `(s) => {
    const m = /^(\\d{4})-(\\d{2})-(\\d{2})$/.exec(s);
    if (!m) return false;
    const y = +m[1], mo = +m[2], d = +m[3];
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    return mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1];
  }`,
  time: `(s) => {
    const m = /^(\\d{2}):(\\d{2}):(\\d{2}(?:\\.\\d+)?)(z|([+-])(\\d{2})(?::?(\\d{2}))?)$/i.exec(s);
    if (!m) return false;
    const hr = +m[1], min = +m[2], sec = +m[3];
    if (hr > 23 || min > 59 || (m[6] !== undefined && (+m[6] > 23 || +(m[7] ?? 0) > 59))) return false;
    if (sec < 60) return true;
    // a leap second is 23:59:60 UTC
    const tzH = m[5] ? (m[5] === '-' ? -1 : 1) * +m[6] : 0;
    const tzM = m[5] ? (m[5] === '-' ? -1 : 1) * +(m[7] ?? 0) : 0;
    const utcMin = min - tzM - 60 * tzH;
    return sec < 61 && (utcMin === 59 || utcMin === -1) && (hr - tzH === 23 || hr - tzH === -1);
  }`,
  'date-time': `(s) => {
    const parts = s.split(/t|\\s/i);
    return parts.length === 2 && canonFormats.date(parts[0]) && canonFormats.time(parts[1]);
  }`,
  email: `(s) => /^[a-z0-9!#$%&'*+/=?^_\`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_\`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i.test(s)`,
  uuid: `(s) => /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(s)`,
  hostname: `(s) => /^(?=.{1,253}\\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\\.?$/i.test(s)`,
  ipv4: `(s) => /^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$/.test(s)`,
  uri: `(s) => /^[a-z][a-z0-9+.-]*:[^\\s]*$/i.test(s)`,
  duration: `(s) => /^P(?!$)((\\d+Y)?(\\d+M)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?|(\\d+W)?)$/.test(s)`,
};

export const SUPPORTED_FORMATS = Object.keys(FORMAT_SOURCE);
