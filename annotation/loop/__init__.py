"""The annotator's loop: joining, assignment, answers, the loop's quality steps, live labels."""
