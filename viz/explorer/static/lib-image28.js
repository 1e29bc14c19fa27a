/* Any picture -> the network's 28x28 grayscale input, with the arithmetic of
 * viz.core.images.load_image (Pillow), so an upload here gives the same grid as
 * `viz spreadsheet --image` on the same file:
 *
 *   1. grayscale  L = (19595 R + 38470 G + 7471 B + 2^15) >> 16      (Pillow's convert("L"))
 *   2. a picture whose longest side is over REDUCE_ABOVE px is box-averaged by an integer
 *      factor ceil(longest / REDUCED_SIDE)                             (Pillow's Image.reduce)
 *   3. a = L / 255; the border's median (rows 0 and -1, columns 0 and -1) > 0.5 -> a = 1 - a
 *   4. padded to a square with the border's median, round(x * 255) half to even (numpy)
 *   5. resized to 28x28 with Lanczos-3, two passes (horizontal, then vertical), 22-bit fixed
 *      point coefficients, each pass rounded and clipped to 0..255   (Pillow's Resample.c)
 *   6. / 255
 *
 * Where it can differ from Pillow (say so on the page): the browser decodes the file, so
 * (a) a JPEG over REDUCE_ABOVE px is decoded at full size and box-averaged, where Pillow
 * decodes it at 1/2, 1/4 or 1/8 scale (libjpeg's draft mode) before the reduce; (b) pixels
 * that are not fully opaque: a canvas keeps colours premultiplied by alpha, so a fully
 * transparent pixel reads as black (Pillow ignores alpha and keeps its hidden colour);
 * (c) EXIF orientation may be applied by the browser, never by Pillow.
 *
 * VizExplorer.image28 = {grayFromRGBA, reduce, prepare, lanczos, fromRGBA, readFile}.
 */
(function () {
  "use strict";

  var PRECISION_BITS = 22;   // 32 - 8 - 2, as Pillow

  function grayFromRGBA(rgba, w, h) {
    var out = new Uint8Array(w * h);
    for (var i = 0, j = 0; i < out.length; i++, j += 4) {
      out[i] = (rgba[j] * 19595 + rgba[j + 1] * 38470 + rgba[j + 2] * 7471 + 0x8000) >>> 16;
    }
    return out;
  }

  /* Pillow's ImagingReduce for one 8-bit band: (sum * multiplier) >> 24, edge boxes partial. */
  function division(divider) {   // division_UINT32(divider, 8): float32 arithmetic
    return Math.trunc(Math.fround(Math.fround(4294967296) / Math.fround(256 * divider)));
  }
  function reduce(gray, w, h, factor) {
    var ow = Math.ceil(w / factor), oh = Math.ceil(h / factor), out = new Uint8Array(ow * oh);
    for (var y = 0; y < oh; y++) {
      var y0 = y * factor, y1 = Math.min(h, y0 + factor);
      for (var x = 0; x < ow; x++) {
        var x0 = x * factor, x1 = Math.min(w, x0 + factor);
        var n = (y1 - y0) * (x1 - x0), ss = Math.floor(n / 2);
        for (var yy = y0; yy < y1; yy++) for (var xx = x0; xx < x1; xx++) ss += gray[yy * w + xx];
        // UINT32 product, then >> 24 (the product stays below 2^32 for 8-bit sums)
        out[y * ow + x] = Math.floor((ss * division(n)) % 4294967296 / 16777216);
      }
    }
    return {gray: out, w: ow, h: oh};
  }

  function sinc(x) {
    if (x === 0.0) return 1.0;
    x = x * Math.PI;
    return Math.sin(x) / x;
  }
  function lanczosFilter(x) {
    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
  }

  /* precompute_coeffs + normalize_coeffs_8bpc of Pillow's Resample.c (box = whole image). */
  function coeffs(inSize, outSize) {
    var scale = inSize / outSize, filterscale = scale < 1.0 ? 1.0 : scale;
    var support = 3.0 * filterscale, ksize = Math.ceil(support) * 2 + 1;
    var bounds = new Int32Array(outSize * 2), kk = new Float64Array(outSize * ksize);
    for (var xx = 0; xx < outSize; xx++) {
      var center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterscale;
      var xmin = Math.trunc(center - support + 0.5);
      if (xmin < 0) xmin = 0;
      var xmax = Math.trunc(center + support + 0.5);
      if (xmax > inSize) xmax = inSize;
      xmax -= xmin;
      var x, base = xx * ksize;
      for (x = 0; x < xmax; x++) {
        var wgt = lanczosFilter((x + xmin - center + 0.5) * ss);
        kk[base + x] = wgt; ww += wgt;
      }
      for (x = 0; x < xmax; x++) if (ww !== 0.0) kk[base + x] /= ww;
      bounds[xx * 2] = xmin; bounds[xx * 2 + 1] = xmax;
    }
    var ik = new Float64Array(kk.length), one = Math.pow(2, PRECISION_BITS);
    for (var i = 0; i < kk.length; i++) ik[i] = kk[i] < 0 ? Math.trunc(-0.5 + kk[i] * one) : Math.trunc(0.5 + kk[i] * one);
    return {ksize: ksize, bounds: bounds, k: ik};
  }

  function clip8(v) {
    if (v >= 1073741824) return 255;        // 1 << PRECISION_BITS << 8
    if (v <= 0) return 0;
    return Math.floor(v / 4194304);          // >> PRECISION_BITS
  }

  /* Image.resize((size, size), LANCZOS) of an 8-bit square picture (side x side). */
  function lanczos(gray, w, h, ow, oh) {
    var img = gray, cw = w, half = Math.pow(2, PRECISION_BITS - 1), x, y, s, t;
    if (ow !== w) {   // horizontal pass
      var ch = coeffs(w, ow), tmp = new Uint8Array(ow * h);
      for (y = 0; y < h; y++) {
        for (x = 0; x < ow; x++) {
          var xmin = ch.bounds[x * 2], xmax = ch.bounds[x * 2 + 1], kb = x * ch.ksize;
          s = half;
          for (t = 0; t < xmax; t++) s += img[y * cw + t + xmin] * ch.k[kb + t];
          tmp[y * ow + x] = clip8(s);
        }
      }
      img = tmp; cw = ow;
    }
    if (oh !== h) {   // vertical pass
      var cv = coeffs(h, oh), out = new Uint8Array(cw * oh);
      for (y = 0; y < oh; y++) {
        var ymin = cv.bounds[y * 2], ymax = cv.bounds[y * 2 + 1], kv = y * cv.ksize;
        for (x = 0; x < cw; x++) {
          s = half;
          for (t = 0; t < ymax; t++) s += img[(t + ymin) * cw + x] * cv.k[kv + t];
          out[y * cw + x] = clip8(s);
        }
      }
      img = out;
    }
    return img;
  }

  function roundHalfEven(x) {
    var r = Math.round(x);
    if (Math.abs(x % 1) === 0.5) r = 2 * Math.round(x / 2);
    return r;
  }

  function median(values) {
    var s = Float64Array.from(values).sort(), n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /* Steps 3-6 on an 8-bit grayscale picture; returns {grid (Float64Array size*size), inverted}. */
  function prepare(gray, w, h, size, invert) {
    size = size || 28;
    var a = new Float64Array(w * h), i, x, y;
    for (i = 0; i < a.length; i++) a[i] = gray[i] / 255.0;
    function border() {
      var b = [];
      for (x = 0; x < w; x++) b.push(a[x]);
      for (x = 0; x < w; x++) b.push(a[(h - 1) * w + x]);
      for (y = 0; y < h; y++) b.push(a[y * w]);
      for (y = 0; y < h; y++) b.push(a[y * w + w - 1]);
      return b;
    }
    var b = border();
    if (invert === undefined || invert === null) invert = median(b) > 0.5;
    if (invert) {
      for (i = 0; i < a.length; i++) a[i] = 1.0 - a[i];
      b = b.map(function (v) { return 1.0 - v; });
    }
    var side = Math.max(h, w), fill = median(b), sq = new Uint8Array(side * side);
    var top = Math.floor((side - h) / 2), left = Math.floor((side - w) / 2);
    var fill8 = roundHalfEven(fill * 255);
    sq.fill(fill8);
    for (y = 0; y < h; y++) for (x = 0; x < w; x++) sq[(y + top) * side + x + left] = roundHalfEven(a[y * w + x] * 255);
    var small = side === size ? sq : lanczos(sq, side, side, size, size);
    var grid = new Float64Array(size * size);
    for (i = 0; i < grid.length; i++) grid[i] = small[i] / 255.0;
    return {grid: grid, inverted: !!invert};
  }

  /* RGBA pixels (e.g. from getImageData) -> {grid, inverted, reducedTo: [w, h] | null}. */
  function fromRGBA(rgba, w, h, limits) {
    limits = limits || {};
    var gray = grayFromRGBA(rgba, w, h), gw = w, gh = h, reducedTo = null;
    var above = limits.reduce_above || 2048, side = limits.reduced_side || 1024;
    if (Math.max(w, h) > above) {
      var r = reduce(gray, w, h, Math.max(1, Math.ceil(Math.max(w, h) / side)));
      gray = r.gray; gw = r.w; gh = r.h; reducedTo = [gw, gh];
    }
    var p = prepare(gray, gw, gh, limits.size || 28);
    p.reducedTo = reducedTo;
    return p;
  }

  /* A File -> Promise of {grid, inverted, reducedTo, width, height, note}; rejects with an
   * Error whose message is one line for the page (not a picture, too big, ...). */
  function readFile(file, limits) {
    limits = limits || {};
    var maxBytes = limits.max_file_bytes || 64 * 1048576, maxPixels = limits.max_pixels || 40000000;
    if (!file) return Promise.reject(new Error("no file chosen"));
    if (file.size > maxBytes) {
      return Promise.reject(new Error("\u201c" + file.name + "\u201d is " + (file.size / 1048576).toFixed(1) +
        " MB; the most read is " + Math.round(maxBytes / 1048576) + " MB"));
    }
    if (typeof createImageBitmap !== "function") return Promise.reject(new Error("this browser cannot decode pictures here"));
    function tooBig(w, h) {
      return new Error("\u201c" + file.name + "\u201d is " + w + "\u00d7" + h + " pixels; the most read is " +
        maxPixels.toLocaleString("en") + " pixels");
    }
    return file.slice(0, 262144).arrayBuffer().then(function (buf) {
      var dims = sniffSize(new Uint8Array(buf));   // refuse a huge picture before decoding it
      if (dims && dims[0] * dims[1] > maxPixels) throw tooBig(dims[0], dims[1]);
      return decode(file, limits, maxPixels, tooBig);
    });
  }

  /* (width, height) from a PNG, GIF, BMP or JPEG header, or null (then the decoder decides). */
  function sniffSize(b) {
    function u32(i) { return ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3]; }
    if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return [u32(16), u32(20)];
    if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return [b[6] + (b[7] << 8), b[8] + (b[9] << 8)];
    if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
      var w = b[18] | (b[19] << 8) | (b[20] << 16) | (b[21] << 24), h = b[22] | (b[23] << 8) | (b[24] << 16) | (b[25] << 24);
      return [Math.abs(w), Math.abs(h)];
    }
    if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      var i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) { i++; continue; }
        var m = b[i + 1];
        if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
          return [(b[i + 7] << 8) + b[i + 8], (b[i + 5] << 8) + b[i + 6]];
        }
        if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) { i += m === 0xff ? 1 : 2; continue; }
        i += 2 + ((b[i + 2] << 8) + b[i + 3]);
      }
    }
    return null;
  }

  function decode(file, limits, maxPixels, tooBig) {
    return createImageBitmap(file, {colorSpaceConversion: "none", premultiplyAlpha: "none"}).catch(function () {
      throw new Error("\u201c" + file.name + "\u201d is not a picture this browser can read (try a PNG or JPEG)");
    }).then(function (bmp) {
      var w = bmp.width, h = bmp.height;
      if (!(w > 0 && h > 0)) throw new Error("\u201c" + file.name + "\u201d has no pixels");
      if (w * h > maxPixels) {
        if (bmp.close) bmp.close();
        throw tooBig(w, h);
      }
      var c = document.createElement("canvas");
      c.width = w; c.height = h;
      var ctx = c.getContext("2d", {willReadFrequently: true});
      ctx.drawImage(bmp, 0, 0);
      if (bmp.close) bmp.close();
      var px = ctx.getImageData(0, 0, w, h).data;
      c.width = c.height = 0;
      var out = fromRGBA(px, w, h, limits);
      out.width = w; out.height = h;
      out.note = out.reducedTo ? "Your picture is " + w + "\u00d7" + h + "; it was first reduced to " +
        out.reducedTo[0] + "\u00d7" + out.reducedTo[1] + " (as viz spreadsheet --image does), then made 28\u00d728." : "";
      return out;
    });
  }

  window.VizExplorer = window.VizExplorer || {};
  window.VizExplorer.image28 = {
    grayFromRGBA: grayFromRGBA, reduce: reduce, prepare: prepare, lanczos: lanczos,
    fromRGBA: fromRGBA, readFile: readFile, coeffs: coeffs, sniffSize: sniffSize,
  };
})();
