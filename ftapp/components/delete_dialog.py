"""The confirmation before a job is deleted: it names the job; Cancel changes nothing."""

import reflex as rx


def delete_dialog(
    open_: rx.Var[bool],
    job_name: rx.Var[str],
    on_confirm: rx.EventHandler | rx.event.EventSpec,
    on_open_change: rx.EventHandler,
) -> rx.Component:
    """An alert dialog asking to delete ``job_name``, with "Cancel" and "Delete".

    ``on_open_change`` receives False when the dialog closes without confirming (Cancel,
    Escape).
    """
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete job"),
            rx.alert_dialog.description(
                rx.text(
                    "Delete ",
                    rx.text.strong(job_name),
                    "? Its settings and results are removed for good. This cannot be undone.",
                ),
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    # Solid red under white text is below AA contrast: the high-contrast red.
                    rx.button("Delete", color_scheme="red", high_contrast=True, on_click=on_confirm)
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=open_,
        on_open_change=on_open_change,
    )
