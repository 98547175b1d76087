/* MathJax 2 settings for the course's site and slides, loaded as config/local/dls.js after
   MathJax's own TeX-AMS-MML_HTMLorMML-full configuration (see course/javascript.py).
   jupyter-server-mathjax ships only the STIX-Web fonts: use them as web fonts, never look
   for locally installed ones (results would differ between machines). MathJax_Blank, the
   fallback font MathJax measures against, points at about:blank, which Chromium reports as a
   blocked cross-origin font on a page opened from the file system: a local() source instead
   fails the same way, silently. Only the HTML-CSS output runs; the hidden MathML that MathJax
   adds for screen readers still uses the native-MathML styles, whose six web fonts the package
   does not ship (a request for a missing file): they fall back to local() sources too. */
MathJax.Hub.Config({
  jax: ["input/TeX", "input/MathML", "output/HTML-CSS"],
  MMLorHTML: {prefer: "HTML"},
  "HTML-CSS": {
    availableFonts: [],
    preferredFont: null,
    webFont: "STIX-Web",
    imageFont: null,
    styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local('MathJax_Blank')"}}
  },
  NativeMML: {styles: {
    "@font-face /*1*/": {"font-family": "MathJax_Caligraphic-WEB", src: "local('MathJax_Caligraphic')"},
    "@font-face /*2*/": {"font-family": "MathJax_Caligraphic-WEB", "font-weight": "bold", src: "local('MathJax_Caligraphic Bold')"},
    "@font-face /*3*/": {"font-family": "MathJax_AMS-WEB", src: "local('MathJax_AMS')"},
    "@font-face /*4*/": {"font-family": "MathJax_Script-WEB", src: "local('MathJax_Script')"},
    "@font-face /*5*/": {"font-family": "MathJax_Fraktur-WEB", src: "local('MathJax_Fraktur')"},
    "@font-face /*6*/": {"font-family": "MathJax_Fraktur-WEB", "font-weight": "bold", src: "local('MathJax_Fraktur Bold')"}
  }},
  tex2jax: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true
  },
  messageStyle: "none"
});
MathJax.Ajax.loadComplete("[MathJax]/config/local/dls.js");
