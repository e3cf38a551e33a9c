// The drawing pad: pointer events (mouse, touch, pen) draw strokes; a short pause after drawing sends the
// canvas as a PNG to the server, which preprocesses it exactly like an uploaded photo. Two modes: one digit
// (a square pad, /api/predict: the digit and its ten probabilities) and a number (a wide pad, /api/read: the
// digits found, each with its box, drawn over the pad).
"use strict";

const MODES = {
  digit: {
    width: 280, height: 280, endpoint: "api/predict",
    delayMs: 120,   // debounce: predict this long after the last change, not on every pointer move
    title: "Draw a digit", task: "Draw one digit, 0 to 9, in the square",
    padLabel: "Drawing area: draw one digit with a mouse, finger or pen, or with the arrow keys and Space",
    idle: "Draw a digit to see what the model reads.", empty: "Nothing to read yet: draw a digit.",
  },
  number: {
    // 3.5 times as wide as tall: room for six or so digits of the pad's height, or more written smaller.
    width: 840, height: 240, endpoint: "api/read",
    delayMs: 300,   // a number takes several strokes: wait for a pause rather than reading every half-drawn digit
    title: "Write a number", task: "Write a number, 1 to 12 digits on one line, in the wide box",
    padLabel: "Drawing area: write a number on one line with a mouse, finger or pen, or with the arrow keys and Space",
    idle: "Write a number to see what the model reads.", empty: "Nothing to read yet: write a number.",
  },
};

const SVG = "http://www.w3.org/2000/svg";
const pad = document.getElementById("pad");
const context = pad.getContext("2d");
const boxesView = document.getElementById("boxes");
const seen = document.getElementById("seen").getContext("2d");
const labelView = document.getElementById("label");
const confidenceView = document.getElementById("confidence");
const statusView = document.getElementById("status");
const bars = [...document.querySelectorAll("#bars li")];
const numberView = document.getElementById("number");
const numberStatusView = document.getElementById("number-status");
const digitsView = document.getElementById("digits");

let mode = MODES.digit;

let strokes = [];          // each stroke: an array of {x, y} in canvas pixels
let background = null;     // an uploaded image, drawn under the strokes
let current = null;
let timer = 0;
let sequence = 0;          // answers to superseded requests are dropped

// ~20 px on the 280-px pad (MNIST's stroke once the digit is scaled to 20 px); the number pad's digits are
// about as tall as its height, so the pen follows the height there too.
function penWidth() { return pad.height / 14; }

// Where an uploaded image sits on the pad: scaled to fit, centred. Also maps the boxes of /api/read, which are
// in the uploaded image's pixels, onto the pad.
function placement(image) {
  const scale = Math.min(pad.width / image.width, pad.height / image.height);
  return { scale, x: (pad.width - image.width * scale) / 2, y: (pad.height - image.height * scale) / 2 };
}

function redraw() {
  context.fillStyle = "#fff";
  context.fillRect(0, 0, pad.width, pad.height);
  if (background) {
    const place = placement(background);
    context.drawImage(background, place.x, place.y, background.width * place.scale, background.height * place.scale);
  }
  context.strokeStyle = "#000";
  context.fillStyle = "#000";
  context.lineWidth = penWidth();
  context.lineCap = "round";
  context.lineJoin = "round";
  for (const stroke of strokes) {
    if (stroke.length === 1) {
      context.beginPath();
      context.arc(stroke[0].x, stroke[0].y, penWidth() / 2, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.beginPath();
    context.moveTo(stroke[0].x, stroke[0].y);
    for (const point of stroke.slice(1)) context.lineTo(point.x, point.y);
    context.stroke();
  }
}

function pointAt(event) {
  const box = pad.getBoundingClientRect();
  return { x: (event.clientX - box.left) * pad.width / box.width, y: (event.clientY - box.top) * pad.height / box.height };
}

pad.addEventListener("pointerdown", event => {
  event.preventDefault();
  liftPen();
  pad.setPointerCapture(event.pointerId);
  current = [pointAt(event)];
  strokes.push(current);
  redraw();
  schedule();
});
pad.addEventListener("pointermove", event => {
  if (!current) return;
  for (const e of event.getCoalescedEvents ? event.getCoalescedEvents() : [event]) current.push(pointAt(e));
  redraw();
  schedule();
});
for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => {
    if (!current) return;
    current = null;
    schedule();
  });
}

// Drawing by keyboard: with the pad focused, the arrow keys move a pen (shown by an overlay, so it never
// reaches the image sent to the model) and Space or Enter puts it down or lifts it.
const cursorView = document.getElementById("cursor");
let cursor = { x: pad.width / 2, y: pad.height / 2 };
let penDown = false;

function showCursor() {
  cursorView.hidden = document.activeElement !== pad;
  cursorView.classList.toggle("down", penDown);
  cursorView.style.left = (pad.offsetLeft + pad.clientLeft + cursor.x * pad.clientWidth / pad.width) + "px";
  cursorView.style.top = (pad.offsetTop + pad.clientTop + cursor.y * pad.clientHeight / pad.height) + "px";
}

function liftPen() {
  if (penDown) current = null;
  penDown = false;
}

pad.addEventListener("focus", showCursor);
pad.addEventListener("blur", () => { liftPen(); showCursor(); });
pad.addEventListener("keydown", event => {
  if (event.key === " " || event.key === "Enter") {
    event.preventDefault();
    if (penDown) liftPen();
    else {
      penDown = true;
      current = [{ ...cursor }];
      strokes.push(current);
      redraw();
    }
    showCursor();
    schedule();
    return;
  }
  const step = pad.height / (event.shiftKey ? 70 : 20);   // canvas pixels per key press: a 70th or a 20th of the pad's height
  const move = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] }[event.key];
  if (!move) return;
  event.preventDefault();
  cursor = { x: Math.min(pad.width, Math.max(0, cursor.x + move[0])), y: Math.min(pad.height, Math.max(0, cursor.y + move[1])) };
  if (penDown) {
    current.push({ ...cursor });
    redraw();
    schedule();
  }
  showCursor();
});

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(predictDrawing, mode.delayMs);
}

function isBlank() { return strokes.length === 0 && !background; }

const PAD_FRAME = { scale: 1, x: 0, y: 0 };   // the drawing is sent as the pad's own pixels

function predictDrawing() {
  if (isBlank()) return reset();
  pad.toBlob(blob => send(blob, "image/png", PAD_FRAME), "image/png");
}

// Sends an image to the mode's endpoint; `frame` maps the sent image's pixels onto the pad, for the boxes.
async function send(body, type, frame) {
  const mine = ++sequence;
  const status = currentStatus();
  status.classList.remove("error");
  status.textContent = "Reading…";
  let response, answer;
  try {
    response = await fetch(mode.endpoint, { method: "POST", headers: { "Content-Type": type }, body });
    answer = await response.json();
  } catch (error) {
    if (mine === sequence) showProblem("The server did not answer: " + error.message);
    return;
  }
  if (mine !== sequence) return;
  if (!response.ok) return showProblem(describeProblem(answer));
  if (mode === MODES.number) showNumber(answer, frame);
  else show(answer);
}

// What a problem+json answer means for the person drawing. In Number mode every 400 (no ink, no digits among
// the marks, not an image) means there was nothing the reader could read; the detail says why.
function describeProblem(problem) {
  if (problem.title === "Empty drawing") return mode.empty;
  if (mode === MODES.number && problem.status === 400) return "Nothing readable. " + problem.detail;
  return problem.detail || problem.title;
}

function currentStatus() { return mode === MODES.number ? numberStatusView : statusView; }

function show(answer) {
  const best = answer.label;
  labelView.textContent = String(best);
  confidenceView.textContent = (answer.probabilities[best] * 100).toFixed(1) + "% sure";
  statusView.textContent = `The model reads a ${best}.`;
  answer.probabilities.forEach((p, digit) => {
    const percent = p * 100;
    const bar = bars[digit];
    bar.querySelector(".fill").style.width = percent.toFixed(1) + "%";
    bar.querySelector(".value").textContent = percent < 0.1 ? "<0.1%" : percent.toFixed(1) + "%";
    bar.classList.toggle("best", digit === best);
    bar.setAttribute("aria-label", `${digit}: ${percent.toFixed(1)} percent`);
  });
  if (answer.input) showInput(answer.input);
}

function showInput(input) {
  const image = seen.createImageData(28, 28);
  input.forEach((v, i) => {
    image.data.set([v, v, v, 255], i * 4);
  });
  seen.putImageData(image, 0, 0);
}

// The number read: large, each digit as read ("?" for an unsure one), a line per digit, and a box per digit
// over the pad — solid for a digit read, dashed red with "?" for an unsure one, dotted grey for a skipped mark.
function showNumber(answer, frame) {
  numberView.replaceChildren(...answer.digits.map(digit => {
    const span = document.createElement("span");
    span.textContent = digit.unsure ? "?" : String(digit.label);
    if (digit.unsure) span.className = "unsure";
    return span;
  }));
  digitsView.replaceChildren(...answer.digits.map((digit, i) => {
    const item = document.createElement("li");
    const percent = (digit.probabilities[digit.label] * 100).toFixed(1) + "%";
    item.textContent = digit.unsure ? `Digit ${i + 1}: unsure (maybe a ${digit.label}, ${percent})` : `Digit ${i + 1}: ${digit.label}, ${percent} sure`;
    if (digit.unsure) item.className = "unsure";
    return item;
  }));
  drawBoxes(answer, frame);
  const unsure = answer.digits.filter(d => d.unsure).length;
  // Lines of the paper (rules, a grid, an underline, a form's boxes) are marks too, but not too small for digits.
  const lines = answer.marks.filter(m => m.kind === "line").length;
  const small = answer.marks.length - lines;
  const skipped = (small === 0 ? "" : ` ${small} mark(s) too small or thin for digits were skipped (dotted boxes).`)
    + (lines === 0 ? "" : ` ${lines} line(s) of the paper were taken out (dotted boxes).`);
  numberStatusView.textContent =
    unsure === answer.digits.length ? `Nothing readable for sure: the model is unsure of every digit it found (dashed red boxes).${skipped}`
    : unsure > 0 ? `The model reads ${answer.text}; ? stands for a digit it is not sure of (dashed red box).${skipped}`
    : `The model reads ${answer.text}.${skipped}`;
}

function drawBoxes(answer, frame) {
  const label = pad.height / 10;   // label size in pad pixels
  const shapes = [];
  const rectangle = (box, className) => {
    const rect = document.createElementNS(SVG, "rect");
    const place = { x: frame.x + box.x * frame.scale, y: frame.y + box.y * frame.scale, width: box.width * frame.scale, height: box.height * frame.scale };
    for (const [name, value] of Object.entries(place)) rect.setAttribute(name, value.toFixed(1));
    rect.setAttribute("class", className);
    shapes.push(rect);
    return place;
  };
  for (const mark of answer.marks) rectangle(mark.box, "mark");
  for (const digit of answer.digits) {
    const place = rectangle(digit.box, digit.unsure ? "digit unsure" : "digit");
    const text = document.createElementNS(SVG, "text");
    // Above the box where there is room, else beside its top right corner: never over the ink.
    const above = place.y >= label + 4;
    text.setAttribute("x", (above ? place.x : place.x + place.width + 4).toFixed(1));
    text.setAttribute("y", (above ? place.y - 4 : place.y + label).toFixed(1));
    text.setAttribute("font-size", label.toFixed(1));
    text.setAttribute("class", digit.unsure ? "unsure" : "read");
    text.textContent = digit.unsure ? "?" : String(digit.label);
    shapes.push(text);
  }
  boxesView.replaceChildren(...shapes);
}

function showProblem(message) {
  clearAnswer();
  const status = currentStatus();
  status.textContent = message;
  status.classList.add("error");
}

function clearAnswer() {
  numberView.textContent = "?";
  digitsView.replaceChildren();
  boxesView.replaceChildren();
  labelView.textContent = "?";
  confidenceView.textContent = "";
  for (const bar of bars) {
    bar.querySelector(".fill").style.width = "0";
    bar.querySelector(".value").textContent = "–";
    bar.classList.remove("best");
    bar.removeAttribute("aria-label");
  }
  seen.clearRect(0, 0, 28, 28);
}

function reset() {
  sequence++;
  clearAnswer();
  const status = currentStatus();
  status.classList.remove("error");
  status.textContent = mode.idle;
}

function undo() {
  liftPen();
  if (strokes.length > 0) strokes.pop();
  else background = null;
  redraw();
  schedule();
}

function clear() {
  liftPen();
  strokes = [];
  background = null;
  redraw();
  reset();
}

document.getElementById("undo").addEventListener("click", undo);
document.getElementById("clear").addEventListener("click", clear);
document.addEventListener("keydown", event => {
  if (event.key === "Escape") { clear(); event.preventDefault(); }
  else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") { undo(); event.preventDefault(); }
});

document.getElementById("upload").addEventListener("change", async event => {
  const file = event.target.files[0];
  if (!file) return;
  strokes = [];
  background = null;
  try {
    background = await createImageBitmap(file);
  } catch {
    // Not something the browser can show; the server still says what is wrong with it.
  }
  redraw();
  await send(file, file.type || "application/octet-stream", background ? placement(background) : PAD_FRAME);
  event.target.value = "";
});

// Switching mode resizes the pad, so it starts a new drawing. #number in the address opens Number mode.
function setMode(name) {
  mode = MODES[name];
  document.querySelector("main").dataset.mode = name;
  document.getElementById(`mode-${name}`).checked = true;
  document.getElementById("title").textContent = mode.title;
  document.getElementById("task").textContent = mode.task;
  document.getElementById("digit-result").hidden = mode !== MODES.digit;
  document.getElementById("number-result").hidden = mode !== MODES.number;
  pad.setAttribute("aria-label", mode.padLabel);
  pad.width = mode.width;
  pad.height = mode.height;
  boxesView.setAttribute("viewBox", `0 0 ${mode.width} ${mode.height}`);
  cursor = { x: pad.width / 2, y: pad.height / 2 };
  clear();
  showCursor();
}

for (const input of document.querySelectorAll("input[name=mode]")) {
  input.addEventListener("change", () => {
    setMode(input.value);
    history.replaceState(null, "", input.value === "number" ? "#number" : location.pathname + location.search);
  });
}

async function describeModel() {
  try {
    const model = await (await fetch("api/model")).json();
    const metrics = model.metrics;
    const accuracy = metrics.testAccuracy ?? metrics.validationAccuracy;
    const figure = accuracy == null ? "" : `, ${(accuracy * 100).toFixed(2)}% ${metrics.testAccuracy != null ? "test" : "validation"} accuracy`;
    document.getElementById("model").textContent =
      `Model: ${model.name} (${model.architecture}${figure}; trained ${model.createdUtc.slice(0, 10)}).`;
  } catch {
    // The model line is a courtesy; drawing works without it.
  }
}

setMode(location.hash === "#number" ? "number" : "digit");
describeModel();
