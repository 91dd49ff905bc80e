// Web chat page of the clinic booking service: plain browser JS, no build step, no third-party code.
// It talks only to the same-origin API described in DESIGN.md ("Web chat API").
// Patients use it on phones over slow networks, so every send is retried with the same
// Idempotency-Key (a retry can never book twice) and polling backs off when the network is bad.
// Nothing but the random conversation id is kept in the browser: the history lives on the server.
(() => {
  'use strict';

  const STORAGE_KEY = 'clinic-chat.session-id';
  const SESSION_ID_RE = /^[A-Za-z0-9_-]{22,128}$/;
  const GREETING_TEXT = 'menu'; // sent silently on a first visit so the bot shows its main menu
  const POLL_MS = 3000;
  const FOLLOW_UP_POLL_MS = 800;
  const POLL_MAX_MS = 60000;
  const RETRY_DELAYS_MS = [1000, 2500, 5000, 10000]; // waits before each retry of a send
  const REQUEST_TIMEOUT_MS = 30000;
  const UPLOAD_TIMEOUT_MS = 180000; // a 10 MB report on a 2G-ish link needs minutes, not seconds
  const HISTORY_MAX_PAGES = 50;
  const ALLOWED_TYPES = ['application/pdf', 'image/jpeg', 'image/png'];
  const ALLOWED_NAME_RE = /\.(pdf|jpe?g|png)$/i;
  const OFFLINE_TEXT = 'You seem to be offline. Please check your connection and try again.';
  const NETWORK_TEXT = 'Could not reach the clinic. Please check your connection and try again.';

  const $ = (id) => document.getElementById(id);
  const els = {
    title: $('clinic-name'),
    newConversation: $('new-conversation'),
    chat: $('chat'),
    status: $('status'),
    list: $('messages'),
    typing: $('typing'),
    form: $('composer'),
    file: $('file'),
    attach: $('attach'),
    record: $('record'),
    recordTime: $('record-time'),
    input: $('input'),
    send: $('send'),
  };

  const state = {
    sessionId: '',
    cursor: 0, // every seq <= cursor has been shown; polls ask for after=cursor
    seen: new Set(), // seqs already rendered (POST replies and polls overlap)
    seenPatient: new Set(), // the patient's own messages restored from the transcript
    busy: false,
    greeted: false,
    pollTimer: 0,
    pollInFlight: false,
    pollFailures: 0,
  };

  const maxUploadMb = positiveNumber(readMeta('max-upload-mb'), 10);
  const clinicName = readMeta('clinic-name') || 'Clinic';

  // ---------- small helpers ----------

  function readMeta(name) {
    const meta = document.querySelector(`meta[name="${name}"]`);
    return meta ? (meta.getAttribute('content') || '').trim() : '';
  }

  function positiveNumber(value, fallback) {
    const n = Number(value);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  }

  /** 16 random bytes as base64url without padding: 22 URL-safe characters, 128 bits. */
  function randomId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // Jitter keeps many phones that lost the network together from retrying in lockstep.
  const jitter = (ms) => Math.round(ms * (0.8 + Math.random() * 0.4));

  function formatSize(bytes) {
    return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  /** Only http(s) links are rendered: a javascript: URL from anywhere must never become clickable. */
  function safeUrl(url) {
    try {
      const parsed = new URL(String(url), location.href);
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch {
      return null;
    }
  }

  // ---------- session id ----------

  /** The conversation id is the only thing this page stores; storage may be unavailable (private mode). */
  function loadSessionId() {
    try {
      const stored = localStorage.getItem(STORAGE_KEY);
      if (stored && SESSION_ID_RE.test(stored)) return stored;
      const fresh = randomId();
      localStorage.setItem(STORAGE_KEY, fresh);
      return fresh;
    } catch {
      return randomId(); // works for this page view only
    }
  }

  function newConversation() {
    const ok = window.confirm('Start a new conversation? This device will forget the current chat. Appointments you booked stay booked.');
    if (!ok) return;
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored, nothing to forget
    }
    location.reload();
  }

  // ---------- HTTP ----------

  const messagesPath = () => `/api/chat/${encodeURIComponent(state.sessionId)}/messages`;

  /** fetch with a timeout; throws on network failure or timeout, resolves with any HTTP status. */
  async function request(url, init, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal, cache: 'no-store', credentials: 'same-origin' });
    } finally {
      clearTimeout(timer);
    }
  }

  async function readMessages(res) {
    try {
      const data = await res.json();
      return data && Array.isArray(data.messages) ? data.messages : [];
    } catch {
      return [];
    }
  }

  /** The server's human-readable error message, or a sensible one for the status code. */
  async function readErrorMessage(res) {
    try {
      const data = await res.json();
      if (data && data.error && typeof data.error.message === 'string' && data.error.message) return data.error.message;
    } catch {
      // not JSON (a proxy's error page, say)
    }
    if (res.status === 413) return `That file is too large. The limit is ${maxUploadMb} MB.`;
    if (res.status === 429) return 'Too many messages at once. Please wait a moment and try again.';
    if (res.status >= 500) return 'The clinic assistant is unavailable right now. Please try again in a minute.';
    return 'Sorry, that message could not be sent.';
  }

  const isRetryable = (status) => status >= 500 || status === 408 || status === 429;

  /**
   * Sends one patient message. Network failures, timeouts and 5xx are retried with the SAME
   * Idempotency-Key, so if the first attempt did reach the server it answers the retry with the
   * replies it already gave instead of acting twice.
   */
  async function postMessage(payload, isUpload) {
    const key = randomId();
    const isForm = payload instanceof FormData;
    const init = {
      method: 'POST',
      headers: isForm ? { 'Idempotency-Key': key } : { 'Idempotency-Key': key, 'Content-Type': 'application/json' },
      body: isForm ? payload : JSON.stringify(payload),
    };
    let lastError = NETWORK_TEXT;
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await sleep(jitter(RETRY_DELAYS_MS[attempt - 1]));
      let res;
      try {
        res = await request(messagesPath(), init, isUpload ? UPLOAD_TIMEOUT_MS : REQUEST_TIMEOUT_MS);
      } catch {
        lastError = navigator.onLine === false ? OFFLINE_TEXT : NETWORK_TEXT;
        continue;
      }
      if (res.ok) return { messages: await readMessages(res) };
      lastError = await readErrorMessage(res);
      if (!isRetryable(res.status)) break;
    }
    return { error: lastError };
  }

  /** Everything sent to this chat after `after`. Throws on network failure or a non-2xx status. */
  async function fetchAfter(after, transcript = false) {
    const query = transcript ? `?after=${after}&transcript=true` : `?after=${after}`;
    const res = await request(`${messagesPath()}${query}`, { method: 'GET' }, REQUEST_TIMEOUT_MS);
    if (!res.ok) throw new Error(await readErrorMessage(res));
    return readMessages(res);
  }

  // ---------- rendering (server text only ever goes through textContent) ----------

  function bubble(className, text) {
    const li = document.createElement('li');
    li.className = `bubble ${className}`;
    if (text) {
      const p = document.createElement('p');
      p.className = 'bubble__text';
      p.textContent = String(text);
      li.append(p);
    }
    return li;
  }

  function append(li) {
    els.list.append(li);
    // The newest message must stay in view even while the phone keyboard shrinks the viewport.
    els.chat.scrollTop = els.chat.scrollHeight;
    return li;
  }

  const appendUser = (text) => append(bubble('bubble--user', text));
  const notice = (text) => append(bubble('bubble--notice', text));

  function renderOptions(options) {
    const group = document.createElement('div');
    group.className = 'options';
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Choices');
    for (const option of Array.isArray(options) ? options : []) {
      if (!option || typeof option.id !== 'string') continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'option';
      button.dataset.optionId = option.id;
      button.textContent = String(option.label || option.id);
      group.append(button);
    }
    return group;
  }

  function actionLink(url, text) {
    const href = safeUrl(url);
    if (!href) return null;
    const a = document.createElement('a');
    a.className = 'action';
    a.href = href;
    a.textContent = String(text);
    return a;
  }

  function renderOutbound(message) {
    const li = bubble('bubble--bot', message.text);
    li.dataset.seq = String(message.seq);
    if (message.kind === 'menu') {
      li.append(renderOptions(message.options));
    } else if (message.kind === 'link') {
      const a = actionLink(message.url, message.label || 'Open');
      if (a) {
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        li.append(a);
      }
    } else if (message.kind === 'document') {
      const name = message.fileName || 'document.pdf';
      const a = actionLink(message.url, `Download ${name}`);
      if (a) {
        a.download = name;
        a.rel = 'noopener noreferrer';
        li.append(a);
      }
    }
    return li;
  }

  /** Renders new server messages in seq order, skipping ones already shown. */
  function renderMessages(messages, fromPoll) {
    // The patient's own messages come only in a transcript, numbered after the bot message they follow.
    const isPatient = (m) => m.from === 'patient';
    const patientKey = (m) => `${m.seq}|${m.text}`;
    const fresh = messages
      .filter((m) => m && Number.isInteger(m.seq) && (isPatient(m) ? !state.seenPatient.has(patientKey(m)) : !state.seen.has(m.seq)))
      .sort((a, b) => a.seq - b.seq);
    for (const message of fresh) {
      if (isPatient(message)) {
        state.seenPatient.add(patientKey(message));
        appendUser(message.text);
        continue;
      }
      state.seen.add(message.seq);
      append(renderOutbound(message));
    }
    // A poll returns everything after the cursor, so its last seq is safe to move to. A POST reply
    // only moves it while seqs are contiguous: a push sent meanwhile (lower seq) must still be fetched.
    if (fromPoll && messages.length) state.cursor = Math.max(state.cursor, ...messages.map((m) => m.seq || 0));
    while (state.seen.has(state.cursor + 1)) state.cursor += 1;
    if (fresh.length) {
      retireOldMenus();
      setPhoneMode(fresh[fresh.length - 1].kind === 'ask-contact');
    }
    return fresh.length;
  }

  /** Only the newest menu stays tappable; older buttons would answer a question no longer asked. */
  function retireOldMenus() {
    const menus = els.list.querySelectorAll('.options:not(.options--done)');
    menus.forEach((menu, i) => {
      if (i < menus.length - 1) closeMenu(menu);
    });
  }

  function closeMenu(menu) {
    menu.classList.add('options--done');
    menu.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  }

  function reopenMenu(menu, chosen) {
    menu.classList.remove('options--done');
    chosen.removeAttribute('aria-pressed');
    menu.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  }

  // ---------- composer ----------

  /** After "ask-contact" the next answer is a phone number: show the phone keypad. */
  function setPhoneMode(on) {
    els.input.inputMode = on ? 'tel' : 'text';
    els.input.setAttribute('autocomplete', on ? 'tel' : 'off');
    els.input.placeholder = on ? 'Your phone number' : 'Type a message…';
  }

  function setBusy(busy) {
    state.busy = busy;
    els.send.disabled = busy;
    els.attach.disabled = busy;
    if (!voice.recorder) els.record.disabled = busy;
    els.typing.hidden = !busy;
    els.list.setAttribute('aria-busy', String(busy));
    document.body.classList.toggle('is-busy', busy);
    if (busy) els.chat.scrollTop = els.chat.scrollHeight;
  }

  /** Shows the patient's message, sends it, renders the replies. Resolves true when it was delivered. */
  async function send(payload, echoText, isUpload = false) {
    if (state.busy) return false;
    const mine = echoText ? appendUser(echoText) : null;
    const wasPhoneMode = els.input.inputMode === 'tel';
    setPhoneMode(false);
    setBusy(true);
    const result = await postMessage(payload, isUpload);
    setBusy(false);
    if (result.error) {
      if (mine) mine.classList.add('bubble--failed');
      setPhoneMode(wasPhoneMode);
      notice(result.error);
      return false;
    }
    renderMessages(result.messages, false);
    // What follows a turn (a confirmation's PDF) is pushed a moment after it: look for it soon.
    if (!state.pollInFlight) schedulePoll(FOLLOW_UP_POLL_MS);
    return true;
  }

  async function onSubmit(event) {
    event.preventDefault();
    const text = els.input.value.trim();
    if (!text || state.busy) return;
    els.input.value = '';
    autosize();
    const ok = await send({ text }, text);
    // Give the text back so the patient can retry without retyping it.
    if (!ok && !els.input.value) {
      els.input.value = text;
      autosize();
    }
  }

  function onKeyDown(event) {
    // Enter sends, Shift+Enter adds a line; never send while an IME (Hindi keyboards) is composing.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    els.form.requestSubmit();
  }

  function autosize() {
    els.input.style.height = 'auto';
    els.input.style.height = `${Math.min(els.input.scrollHeight, 128)}px`;
  }

  async function onOptionClick(event) {
    const button = event.target.closest('button.option');
    if (!button || button.disabled || state.busy) return;
    const menu = button.closest('.options');
    closeMenu(menu);
    button.setAttribute('aria-pressed', 'true');
    const ok = await send({ choice: button.dataset.optionId }, button.textContent);
    if (!ok) reopenMenu(menu, button);
  }

  // ---------- reports ----------

  /** A friendly reason the file can't be sent, or '' if it looks fine. The server checks again. */
  function fileProblem(file) {
    const typeOk = ALLOWED_TYPES.includes(file.type) || ALLOWED_NAME_RE.test(file.name);
    if (!typeOk) return `“${file.name}” is not a PDF, JPG or PNG file. Please choose your report in one of those formats.`;
    if (file.size === 0) return `“${file.name}” is empty. Please choose another file.`;
    if (file.size > maxUploadMb * 1024 * 1024) {
      return `“${file.name}” is ${formatSize(file.size)}, but the limit is ${maxUploadMb} MB. Please choose a smaller file — a clear photo of the report works too.`;
    }
    return '';
  }

  function onFilePicked() {
    const file = els.file.files && els.file.files[0];
    els.file.value = ''; // so picking the same file again after a problem still fires "change"
    if (!file || state.busy) return;
    const problem = fileProblem(file);
    if (problem) {
      notice(problem);
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    send(form, `Attachment: ${file.name} (${formatSize(file.size)})`, true);
  }

  // ---------- voice clips ----------
  // Where the browser can record, a clip of up to two minutes is sent as multipart "voice". Browsers
  // record webm, ogg or mp4; the clip is re-encoded here as 16 kHz mono WAV (about 2 MB a minute), a
  // format every speech service reads. Where decoding fails, the recording goes as it is.

  const VOICE_MAX_MS = 120000;
  const VOICE_MIN_MS = 700;
  const WAV_RATE = 16000;
  const voice = { recorder: null, stream: null, chunks: [], startedAt: 0, timer: 0, stopTimer: 0 };

  function canRecord() {
    // Without a speech service the clip would only be answered "please type": no microphone then.
    if (readMeta('voice-notes') !== 'on') return false;
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  }

  function recorderType() {
    const types = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'];
    return types.find((t) => typeof MediaRecorder.isTypeSupported === 'function' && MediaRecorder.isTypeSupported(t)) || '';
  }

  function formatDuration(ms) {
    const seconds = Math.max(0, Math.round(ms / 1000));
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  }

  function setRecordingUi(on) {
    els.record.classList.toggle('is-recording', on);
    els.record.setAttribute('aria-pressed', String(on));
    els.record.setAttribute('aria-label', on ? 'Stop and send the voice message' : 'Record a voice message');
    els.recordTime.hidden = !on;
    els.recordTime.textContent = formatDuration(VOICE_MAX_MS);
  }

  function updateRecordTime() {
    els.recordTime.textContent = formatDuration(VOICE_MAX_MS - (Date.now() - voice.startedAt));
  }

  async function toggleRecording() {
    if (voice.recorder) return stopRecording();
    if (state.busy) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      notice('The microphone could not be used. Please allow it for this page, or type your message.');
      return;
    }
    const type = recorderType();
    let recorder;
    try {
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    } catch {
      stream.getTracks().forEach((track) => track.stop());
      notice('This browser cannot record voice messages. Please type your message.');
      return;
    }
    voice.chunks = [];
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data && event.data.size) voice.chunks.push(event.data);
    });
    recorder.addEventListener('stop', () => void onRecordingStopped(recorder));
    voice.recorder = recorder;
    voice.stream = stream;
    voice.startedAt = Date.now();
    recorder.start();
    setRecordingUi(true);
    voice.timer = setInterval(updateRecordTime, 250);
    voice.stopTimer = setTimeout(stopRecording, VOICE_MAX_MS);
  }

  function stopRecording() {
    if (voice.recorder && voice.recorder.state !== 'inactive') voice.recorder.stop();
  }

  async function onRecordingStopped(recorder) {
    const elapsed = Math.min(Date.now() - voice.startedAt, VOICE_MAX_MS);
    clearInterval(voice.timer);
    clearTimeout(voice.stopTimer);
    if (voice.stream) voice.stream.getTracks().forEach((track) => track.stop());
    voice.recorder = null;
    voice.stream = null;
    setRecordingUi(false);
    els.record.disabled = state.busy;
    const recorded = new Blob(voice.chunks, { type: recorder.mimeType || 'audio/webm' });
    voice.chunks = [];
    if (elapsed < VOICE_MIN_MS || recorded.size === 0) {
      notice('That was too short to hear anything. Hold the recording a little longer, or type your message.');
      return;
    }
    const wav = await asWav(recorded).catch(() => null);
    const clip = wav || recorded;
    if (clip.size > maxUploadMb * 1024 * 1024) {
      notice(`That voice message is too large to send (${formatSize(clip.size)}). Please keep it shorter, or type your message.`);
      return;
    }
    const ext = wav ? 'wav' : /ogg/.test(clip.type) ? 'ogg' : /mp4/.test(clip.type) ? 'm4a' : 'webm';
    const form = new FormData();
    form.append('voice', clip, `voice.${ext}`);
    send(form, `🎤 Voice message (${formatDuration(elapsed)})`, true);
  }

  /** The recording decoded and re-encoded as 16 kHz mono 16-bit WAV, or null where the browser cannot. */
  async function asWav(blob) {
    const Context = window.AudioContext || window.webkitAudioContext;
    const Offline = window.OfflineAudioContext || window.webkitOfflineAudioContext;
    if (!Context || !Offline) return null;
    const context = new Context();
    try {
      const decoded = await context.decodeAudioData(await blob.arrayBuffer());
      const offline = new Offline(1, Math.max(1, Math.ceil(decoded.duration * WAV_RATE)), WAV_RATE);
      const source = offline.createBufferSource();
      source.buffer = decoded;
      source.connect(offline.destination); // one output channel: stereo is mixed down
      source.start();
      return encodeWav((await offline.startRendering()).getChannelData(0), WAV_RATE);
    } finally {
      if (typeof context.close === 'function') context.close();
    }
  }

  function encodeWav(samples, rate) {
    const buffer = new ArrayBuffer(44 + samples.length * 2);
    const view = new DataView(buffer);
    const ascii = (at, text) => {
      for (let i = 0; i < text.length; i++) view.setUint8(at + i, text.charCodeAt(i));
    };
    ascii(0, 'RIFF');
    view.setUint32(4, 36 + samples.length * 2, true);
    ascii(8, 'WAVE');
    ascii(12, 'fmt ');
    view.setUint32(16, 16, true); // PCM header size
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true); // bytes per second
    view.setUint16(32, 2, true); // bytes per frame
    view.setUint16(34, 16, true); // bits per sample
    ascii(36, 'data');
    view.setUint32(40, samples.length * 2, true);
    for (let i = 0; i < samples.length; i++) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buffer], { type: 'audio/wav' });
  }

  // ---------- polling ----------

  function schedulePoll(delayMs) {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(poll, delayMs);
  }

  function showStatus(text) {
    els.status.textContent = text;
    els.status.hidden = !text;
  }

  async function poll() {
    if (document.hidden) return; // resumed by the visibilitychange handler
    if (state.pollInFlight) return;
    if (state.busy) return schedulePoll(POLL_MS); // the POST reply brings the news; spare the bandwidth
    state.pollInFlight = true;
    try {
      const messages = await fetchAfter(state.cursor);
      state.pollFailures = 0;
      showStatus(navigator.onLine === false ? OFFLINE_TEXT : '');
      renderMessages(messages, true);
      await greetIfNew();
    } catch {
      state.pollFailures += 1;
      if (state.pollFailures >= 2) showStatus('Connection problem. Retrying…');
    } finally {
      state.pollInFlight = false;
      const delay = Math.min(POLL_MS * 2 ** state.pollFailures, POLL_MAX_MS);
      schedulePoll(state.pollFailures ? jitter(delay) : delay);
    }
  }

  /** A first visit has no history: ask the bot for its main menu so the patient has buttons to tap. */
  async function greetIfNew() {
    if (state.greeted || state.cursor > 0 || state.seen.size > 0 || els.list.children.length > 0) return;
    state.greeted = true;
    await send({ text: GREETING_TEXT }, null);
  }

  /** Restores the conversation after a reload or a server restart, page by page. */
  async function loadHistory() {
    setBusy(true);
    try {
      for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
        const messages = await fetchAfter(state.cursor, true);
        if (!renderMessages(messages, true)) break;
      }
      return true;
    } catch {
      showStatus('Could not load the conversation. Retrying…');
      return false;
    } finally {
      setBusy(false);
    }
  }

  // ---------- start ----------

  async function start() {
    els.title.textContent = clinicName;
    document.title = `${clinicName} · Book an appointment`;
    state.sessionId = loadSessionId();

    els.form.addEventListener('submit', onSubmit);
    els.input.addEventListener('keydown', onKeyDown);
    els.input.addEventListener('input', autosize);
    els.list.addEventListener('click', onOptionClick);
    els.attach.addEventListener('click', () => els.file.click());
    els.file.addEventListener('change', onFilePicked);
    if (canRecord()) {
      els.record.hidden = false;
      els.record.addEventListener('click', () => void toggleRecording());
    }
    els.newConversation.addEventListener('click', newConversation);
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) clearTimeout(state.pollTimer);
      else schedulePoll(0);
    });
    window.addEventListener('online', () => { showStatus(''); schedulePoll(0); });
    window.addEventListener('offline', () => showStatus(OFFLINE_TEXT));

    if (await loadHistory()) {
      showStatus('');
      await greetIfNew();
      schedulePoll(POLL_MS);
    } else {
      schedulePoll(jitter(POLL_MS * 2)); // poll() greets once the server answers
    }
  }

  start();
})();
