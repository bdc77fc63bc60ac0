/**
 * Getting the visitor's attention when an agent replies while the panel is closed: a short
 * beep made with WebAudio (no audio file to download) and a blinking document title.
 */
let audio: AudioContext | undefined;

export function beep(): void {
  try {
    audio ??= new AudioContext();
    // Autoplay rules: without an earlier user gesture the context stays suspended and this is silent.
    void audio.resume();
    const now = audio.currentTime;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    // A quick fade in and out: no click at the start or the end.
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.15, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(now);
    osc.stop(now + 0.3);
  } catch {
    // No WebAudio (old browser, blocked): the title and badge still tell.
  }
}

/** Alternates the page title with `alert` until stopped; returns the stop function. */
export function blinkTitle(alert: string): () => void {
  const original = document.title;
  let on = false;
  const timer = setInterval(() => {
    on = !on;
    document.title = on ? alert : original;
  }, 1200);
  document.title = alert;
  on = true;
  return () => {
    clearInterval(timer);
    document.title = original;
  };
}
