// Speaker-attributed turns of a stored call transcript ("AI: ..." / "User: ..." lines). The
// interview scorer and the console's transcript view must split a transcript the same way, so
// the one parser lives here, pure and without imports (the console bundles it too).
export type Speaker = 'interviewer' | 'candidate';
export interface Turn {
  speaker: Speaker;
  text: string;
}

const SPEAKER = /^\s*(AI|Assistant|Bot|Agent|Interviewer|User|Customer|Candidate)\s*:\s?(.*)$/i;

/**
 * Splits a transcript into turns; a line without a speaker label continues the turn above it.
 * Lines before the first label are dropped, unless `leading` says whose they are (the console
 * shows them as the interviewer's rather than hide text).
 */
export function parseTranscript(transcript: string, leading?: Speaker): Turn[] {
  const turns: Turn[] = [];
  for (const line of transcript.split(/\r?\n/)) {
    const m = SPEAKER.exec(line);
    if (m) {
      const who = (m[1] as string).toLowerCase();
      const speaker: Speaker = who === 'user' || who === 'customer' || who === 'candidate' ? 'candidate' : 'interviewer';
      turns.push({ speaker, text: (m[2] as string).trim() });
    } else if (line.trim()) {
      const last = turns[turns.length - 1];
      if (last) last.text = `${last.text} ${line.trim()}`.trim();
      else if (leading) turns.push({ speaker: leading, text: line.trim() });
    }
  }
  return turns.filter((t) => t.text.length > 0);
}
