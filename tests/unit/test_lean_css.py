"""The PostCSS registration of the lean Radix Themes plugin (ftapp/frontend/lean_css.py)."""

from __future__ import annotations

from ftapp.frontend.lean_css import POSTCSS_PLUGIN, LeanRadixThemesCss, register

REFLEX_CONFIG = """export default {
  plugins: {
    "postcss-import": {},
    autoprefixer: noVendorPrefix ? false : {},
  },
};
"""


def test_the_plugin_runs_right_after_postcss_import() -> None:
    lines = register(REFLEX_CONFIG).splitlines()
    position = lines.index('    "postcss-import": {},')
    assert lines[position + 1] == f'    "./{POSTCSS_PLUGIN}": {{}},'
    assert "autoprefixer" in lines[position + 2]


def test_registering_twice_lists_it_once() -> None:
    once = register(REFLEX_CONFIG)
    assert register(once) == once
    assert once.count(POSTCSS_PLUGIN) == 1


def test_a_config_of_another_shape_is_left_as_it_is() -> None:
    other = "module.exports = { plugins: [require('autoprefixer')] };\n"
    assert register(other) == other


def test_the_build_gets_the_plugin_file_and_the_registration() -> None:
    saved, modified = [], []
    LeanRadixThemesCss().pre_compile(
        add_save_task=lambda task, *args: saved.append(task(*args)),
        add_modify_task=lambda path, change: modified.append((path, change)),
    )
    [(path, code)] = saved
    assert path == POSTCSS_PLUGIN
    assert "postcssPlugin" in code
    assert "export default plugin" in code
    [(config, change)] = modified
    assert config == "postcss.config.js"
    assert POSTCSS_PLUGIN in change(REFLEX_CONFIG)
