from django.shortcuts import render


def ledger_list(request):
    return render(request, "public/ledger.html", {})


def item_detail(request, number):
    return render(request, "public/item.html", {})


def track(request):
    return render(request, "public/track.html", {})
