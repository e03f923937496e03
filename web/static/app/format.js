// Formatting shared by the views.

// mmss shows a duration in milliseconds as mm:ss (hh:mm:ss past an hour).
export function mmss(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const hh = Math.floor(s / 3600);
  const body = `${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  return hh > 0 ? `${two(hh)}:${body}` : body;
}

// outcomeText is how a call's end is shown, as the seed app shows it.
export function outcomeText(outcome, durationMs) {
  switch (outcome) {
    case 'completed': return `Duration ${mmss(durationMs || 0)}`;
    case 'cancelled': return 'Canceled';
    case 'declined': return 'Declined';
    case 'no_answer': return 'No answer';
    case 'busy': return 'Line busy';
    case 'answered_elsewhere': return 'Answered on another device';
    default: return 'Call failed';
  }
}

// recordText is the line a call record shows in the chat.
export function recordText(m) {
  const kind = m.media === 'video' ? 'Video call' : 'Voice call';
  return `${kind} · ${outcomeText(m.outcome, m.duration_ms)}`;
}

// title names a conversation for me: a group by its name, a direct one by
// the other person.
export function title(conv, me) {
  if (conv.name) return conv.name;
  return (conv.members || []).find((u) => u !== me) || conv.id;
}

// clockTime is the time shown under a message, as the desktop app shows
// it: 24-hour, the hour alone today ("15:04"), the date before
// ("2006-01-02 15:04").
export function clockTime(ms, now = Date.now()) {
  const t = new Date(ms), today = new Date(now);
  const two = (n) => String(n).padStart(2, '0');
  const hm = `${two(t.getHours())}:${two(t.getMinutes())}`;
  if (t.toDateString() === today.toDateString()) return hm;
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${hm}`;
}
