// The drawing pad: pointer events (mouse, touch, pen) draw strokes; a short pause after drawing sends the
// canvas as a PNG to /api/predict, which preprocesses it exactly like an uploaded photo.
"use strict";

const PREDICT_DELAY_MS = 120;   // debounce: predict this long after the last change, not on every pointer move
const pad = document.getElementById("pad");
const context = pad.getContext("2d");
const seen = document.getElementById("seen").getContext("2d");
const labelView = document.getElementById("label");
const confidenceView = document.getElementById("confidence");
const statusView = document.getElementById("status");
const bars = [...document.querySelectorAll("#bars li")];

let strokes = [];          // each stroke: an array of {x, y} in canvas pixels
let background = null;     // an uploaded image, drawn under the strokes
let current = null;
let timer = 0;
let sequence = 0;          // answers to superseded requests are dropped

function penWidth() { return pad.width / 14; }   // ~20 px on the 280-px pad: MNIST's stroke once scaled to 20 px

function redraw() {
  context.fillStyle = "#fff";
  context.fillRect(0, 0, pad.width, pad.height);
  if (background) {
    const scale = Math.min(pad.width / background.width, pad.height / background.height);
    const w = background.width * scale, h = background.height * scale;
    context.drawImage(background, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
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
const KEY_STEP = 14, FINE_STEP = 4;   // canvas pixels per key press: a 20th and a 70th of the pad
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
  const step = event.shiftKey ? FINE_STEP : KEY_STEP;
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
  timer = setTimeout(predictDrawing, PREDICT_DELAY_MS);
}

function isBlank() { return strokes.length === 0 && !background; }

function predictDrawing() {
  if (isBlank()) return reset();
  pad.toBlob(blob => send(blob, "image/png"), "image/png");
}

async function send(body, type) {
  const mine = ++sequence;
  statusView.classList.remove("error");
  statusView.textContent = "Reading…";
  let response, answer;
  try {
    response = await fetch("api/predict", { method: "POST", headers: { "Content-Type": type }, body });
    answer = await response.json();
  } catch (error) {
    if (mine === sequence) showProblem("The server did not answer: " + error.message);
    return;
  }
  if (mine !== sequence) return;
  if (!response.ok) return showProblem(answer.title === "Empty drawing" ? "Nothing to read yet: draw a digit." : (answer.detail || answer.title));
  show(answer);
}

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

function showProblem(message) {
  clearAnswer();
  statusView.textContent = message;
  statusView.classList.add("error");
}

function clearAnswer() {
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
  statusView.classList.remove("error");
  statusView.textContent = "Draw a digit to see what the model reads.";
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
  await send(file, file.type || "application/octet-stream");
  event.target.value = "";
});

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

redraw();
describeModel();
