// The home page's pictures: New Zealand's network (vis-network) and the timeline
// (vis-timeline), drawn from JSON the server embeds; each item links to its page.
(function () {
  "use strict";

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // Colours by the kind of tie, readable on white; the legend explains them.
  var TIES = {
    membership: { colour: "#b5541c", name: "member (or the role named)", dashes: false },
    partnership: { colour: "#6a4c93", name: "partner", dashes: [8, 5] },
    structure: { colour: "#7b8794", name: "part of, or includes the members of", dashes: [3, 4] },
  };
  var NZ_COLOUR = "#1f6f8b";

  // A key to the lines, for the kinds of tie the diagram shows.
  function legend(host, edges) {
    var list = document.createElement("ul");
    list.className = "legend";
    Object.keys(TIES).forEach(function (kind) {
      if (!edges.some(function (e) { return e.kind === kind; })) return;
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "line-swatch line-" + kind;
      swatch.style.borderTopColor = TIES[kind].colour;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(TIES[kind].name));
      list.appendChild(item);
    });
    host.insertAdjacentElement("afterend", list);
  }

  // The colour of a body: that of its tie to New Zealand, or grey one hop further out.
  function nodeColours(graph) {
    var colours = {};
    graph.edges.forEach(function (edge) {
      if (edge.kind !== "structure") colours[edge.to] = TIES[edge.kind].colour;
    });
    return colours;
  }

  // On a phone the same ties read left to right as boxes (New Zealand, the bodies it
  // belongs to, what those are part of), at full size, instead of a shrunken star.
  function layout(narrow, graph) {
    if (!narrow) {
      return {
        physics: {
          solver: "barnesHut",
          barnesHut: { gravitationalConstant: -4500, springLength: 130, springConstant: 0.04, avoidOverlap: 0.5 },
          stabilization: { iterations: 400, fit: true },
        },
        layout: { randomSeed: 7 },
      };
    }
    return {
      physics: false,
      layout: {
        hierarchical: { direction: "LR", sortMethod: "directed", levelSeparation: 124, nodeSpacing: 78, treeSpacing: 78, parentCentralization: true, shakeTowards: "roots" },
      },
    };
  }

  // Where the physics starts: the bodies New Zealand belongs to on a ring, each larger
  // body beyond the ones that are part of it. Starting there (rather than at random)
  // gives the same untangled picture on every visit.
  function ring(graph) {
    var at = {};
    var parent = {};
    graph.edges.forEach(function (e) {
      if (e.kind === "structure") parent[e.from] = e.to;
    });
    // Bodies that are part of the same larger one sit side by side.
    var direct = graph.nodes
      .filter(function (n) { return n.hop === 1; })
      .sort(function (a, b) {
        var pa = parent[a.id] || "~" + a.id, pb = parent[b.id] || "~" + b.id;
        return pa < pb ? -1 : pa > pb ? 1 : 0;
      });
    direct.forEach(function (n, i) {
      var angle = (2 * Math.PI * i) / direct.length - Math.PI / 2;
      at[n.id] = { x: 230 * Math.cos(angle), y: 230 * Math.sin(angle), angle: angle };
    });
    graph.nodes.forEach(function (n) {
      if (n.hop !== 2) return;
      var x = 0, y = 0;
      graph.edges.forEach(function (e) {
        if (e.to === n.id && at[e.from]) {
          x += Math.cos(at[e.from].angle);
          y += Math.sin(at[e.from].angle);
        }
      });
      var angle = Math.atan2(y, x);
      at[n.id] = { x: 420 * Math.cos(angle), y: 420 * Math.sin(angle) };
    });
    return at;
  }

  function drawNetwork() {
    var graph = data("network-data");
    var host = document.getElementById("network");
    if (!graph || !host || !window.vis || !graph.nodes.length) return;
    var narrow = host.clientWidth < 600;
    if (narrow) {
      var rows = graph.nodes.filter(function (n) { return n.hop === 1; }).length;
      host.style.height = Math.max(320, rows * 78 + 30) + "px";
    }
    var colours = nodeColours(graph);
    var roles = {};
    graph.edges.forEach(function (edge) {
      if (edge.kind !== "structure") roles[edge.to] = edge.label;
    });
    var start = narrow ? {} : ring(graph);
    var hrefs = {};
    var nodes = graph.nodes.map(function (node) {
      hrefs[node.id] = node.href;
      var nz = node.hop === 0;
      var colour = nz ? NZ_COLOUR : colours[node.id] || TIES.structure.colour;
      var common = { id: node.id, label: node.label, title: node.label };
      if (narrow) {
        // No room for the lines' labels: a role other than plain membership joins the name.
        if (roles[node.id] && roles[node.id] !== "member" && roles[node.id] !== "partner") {
          common.label += " (" + roles[node.id] + ")";
        }
        return Object.assign(common, {
          shape: "box",
          margin: 5,
          color: { background: colour, border: colour, highlight: { background: colour, border: "#1b1b1b" } },
          widthConstraint: { minimum: 64, maximum: 116 },
          font: { size: 11, face: "system-ui, sans-serif", color: "#ffffff", bold: nz ? { size: 12 } : undefined },
        });
      }
      var at = start[node.id] || { x: 0, y: 0 };
      return Object.assign(common, {
        x: at.x,
        y: at.y,
        shape: nz ? "star" : "dot",
        size: nz ? 22 : node.hop === 1 ? 12 : 9,
        color: { background: colour, border: colour, highlight: { background: colour, border: "#1b1b1b" } },
        // Wrapped rather than shrunk: long names take lines, not the reader's eyesight.
        widthConstraint: { maximum: 160 },
        font: {
          size: nz ? 19 : 16,
          face: "system-ui, sans-serif",
          color: node.hop === 2 ? "#444444" : "#1b1b1b",
          strokeWidth: 4,
          strokeColor: "#ffffff",
        },
      });
    });
    var edges = graph.edges.map(function (edge, index) {
      var tie = TIES[edge.kind] || TIES.structure;
      var structure = edge.kind === "structure";
      return {
        id: "e" + index,
        from: edge.from,
        to: edge.to,
        label: narrow ? undefined : edge.label,
        title: edge.label,
        dashes: tie.dashes,
        width: structure ? 1.5 : 2,
        length: structure ? 125 : undefined,
        arrows: structure ? { to: { enabled: true, scaleFactor: 0.6 } } : undefined,
        color: { color: tie.colour, highlight: "#1b1b1b", opacity: 0.9 },
        font: { size: narrow ? 9 : 11, color: "#4a4a4a", strokeWidth: 3, strokeColor: "#ffffff", align: "horizontal" },
        smooth: narrow ? { type: "cubicBezier", forceDirection: "horizontal", roundness: 0.4 } : false,
      };
    });
    var options = layout(narrow, graph);
    options.interaction = {
      hover: true,
      tooltipDelay: 150,
      keyboard: { enabled: true, bindToWindow: false },
      // On a phone the page scrolls through the diagram; nothing there needs zooming.
      zoomView: !narrow,
      dragView: !narrow,
    };
    var network = new vis.Network(host, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, options);
    if (narrow) {
      network.fit({ animation: false });
    } else {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: false });
        network.fit({ animation: false });
      });
    }
    network.on("click", function (event) {
      if (event.nodes.length && hrefs[event.nodes[0]]) window.location.href = hrefs[event.nodes[0]];
    });
    network.on("hoverNode", function () { host.style.cursor = "pointer"; });
    network.on("blurNode", function () { host.style.cursor = ""; });
    legend(host, graph.edges);
    host.dataset.nodes = String(nodes.length);
    host.dataset.edges = String(edges.length);
    window.nzsaNetwork = network;
  }

  function shift(isoDate, years) {
    var date = new Date(isoDate);
    date.setFullYear(date.getFullYear() + years);
    return date;
  }

  function first(items) {
    return items.map(function (item) { return item.start; }).sort()[0];
  }

  // An item's label as an element (text only, never markup): "since" items end in an
  // open arrow, "ended" items say so, so that neither reads as a known span.
  function content(item) {
    var element = document.createElement("span");
    if (item.type === "ended") {
      var tag = document.createElement("span");
      tag.className = "tl-tag";
      tag.textContent = item.when;
      element.appendChild(tag);
      element.appendChild(document.createTextNode(" " + item.content));
    } else if (item.type === "since") {
      var since = document.createElement("span");
      since.className = "tl-tag";
      since.textContent = item.when;
      element.appendChild(since);
      element.appendChild(document.createTextNode(" " + item.content + " "));
      var open = document.createElement("span");
      open.className = "tl-open";
      open.setAttribute("aria-hidden", "true");
      open.textContent = "\u2192";
      element.appendChild(open);
    } else {
      element.textContent = item.content;
    }
    return element;
  }

  // The last date to show so that every label, drawn to the right of its date, fits:
  // x(t) + width <= W for all items, with x linear from `start` to the returned end.
  function roomyEnd(items, start, width) {
    var from = new Date(start).getTime();
    var needed = 0;
    items.forEach(function (item) {
      var at = new Date(item.end || item.start).getTime();
      var label = Math.min(item.content.length * 7.6, 200) + (item.type === "point" ? 30 : 110);
      var share = Math.max(0.5, 1 - label / width);
      needed = Math.max(needed, (at - from) / share);
    });
    return new Date(from + needed);
  }

  function drawTimeline() {
    var items = data("timeline-data");
    var host = document.getElementById("timeline");
    if (!items || !host || !window.vis || !items.length) return;
    if (host.clientWidth < 600 || !host.offsetParent) {
      // A phone gets the dated list, which reads top to bottom, instead of a squeezed axis.
      var list = document.getElementById("timeline-list");
      if (list) list.open = true;
      return;
    }
    var groups = {};
    var shown = items.map(function (item) {
      groups[item.group] = item.kind;
      return {
        id: item.id,
        content: content(item),
        title: item.content + ": " + item.when,
        start: item.start,
        end: item.type === "range" ? item.end : undefined,
        type: item.type === "range" ? "range" : "point",
        group: item.group,
        className: "kind-" + item.group + " tl-" + item.type,
      };
    });
    var start = shift(first(items), -1);
    var width = host.clientWidth - 215;
    var options = {
      stack: true,
      zoomable: true,
      horizontalScroll: true,
      zoomKey: "ctrlKey",
      showCurrentTime: false,
      margin: { item: { horizontal: 4, vertical: 6 } },
      start: start,
      end: roomyEnd(items, start, width),
    };
    var timeline = new vis.Timeline(
      host,
      new vis.DataSet(shown),
      new vis.DataSet(Object.keys(groups).map(function (g) { return { id: g, content: groups[g] }; })),
      options
    );
    var hrefs = {};
    items.forEach(function (item) {
      hrefs[item.id] = item.href;
    });
    timeline.on("select", function (event) {
      if (event.items.length && hrefs[event.items[0]]) window.location.href = hrefs[event.items[0]];
    });
    host.dataset.items = String(shown.length);
    window.nzsaTimeline = timeline;
  }

  drawNetwork();
  drawTimeline();
})();
